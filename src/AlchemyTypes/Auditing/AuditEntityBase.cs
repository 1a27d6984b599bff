using System.ComponentModel.DataAnnotations;

namespace AlchemyTypes;

/// <summary>The audit columns shared by every <c>…AuditEntity</c> base class. Derive from one of those rather than from this.</summary>
public abstract class AuditEntityBase : IAuditable
{
    /// <inheritdoc />
    public DateTime CreatedAt { get; set; }

    /// <inheritdoc />
    public DateTime UpdatedAt { get; set; }

    /// <inheritdoc />
    [MaxLength(256)]
    public string? CreatedBy { get; set; }

    /// <inheritdoc />
    [MaxLength(256)]
    public string? UpdatedBy { get; set; }
}
