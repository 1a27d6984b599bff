using AlchemyTypes;
using AlchemyTypes.Encryption;
using AlchemyTypes.Passwords;

namespace AlchemyTypes.Sample.Data;

/// <summary>A user: the email is encrypted at rest and findable through its blind index; the password is a hash.</summary>
public sealed class User : UuidV7AuditEntity
{
    [Encrypted(MaxLength = 254, BlindIndex = true)]
    public string Email { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public PasswordHash Password { get; set; } = null!;
}

/// <summary>A document owned by a user: one main file and any number of attachments.</summary>
public sealed class Document : UuidV7AuditEntity
{
    public Guid OwnerId { get; set; }

    public string Title { get; set; } = "";

    [MaxFileSize(50 * 1024 * 1024)]
    public FileObject? File { get; set; }

    [MaxFileSize(20 * 1024 * 1024)]
    public FileObjectList Attachments { get; set; } = [];
}
