namespace AlchemyTypes;

/// <summary>
/// Stores a <see cref="string"/> property encrypted with AES-256-GCM under the key ring given to
/// <c>AddAlchemyTypes(a =&gt; a.UseEncryption(ring))</c>. The same as <c>.IsEncrypted()</c> in <c>OnModelCreating</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class EncryptedAttribute : Attribute
{
    /// <summary>
    /// The longest plaintext accepted, in UTF-16 characters (<see cref="string.Length"/>); 0 (the default) means no limit.
    /// A longer value fails <c>SaveChanges</c> with <see cref="Encryption.EncryptedValueTooLongException"/>, and the column is sized to fit.
    /// </summary>
    public int MaxLength { get; set; }

    /// <summary>
    /// Adds a blind index: a shadow column <c>&lt;Property&gt;BlindIndex</c> holding a keyed HMAC-SHA256 of the plaintext,
    /// with a database index, so that <c>Where(e =&gt; e.Property == value)</c> is answered without decrypting the table.
    /// It reveals which rows hold equal values: see SECURITY.md.
    /// </summary>
    public bool BlindIndex { get; set; }

    /// <summary>
    /// Binds each value to its row as well as to its table and column (format <c>v3</c>): a value copied to another row fails
    /// with <see cref="Encryption.EncryptedValueException"/> (<see cref="Encryption.EncryptedValueFailure.WrongRow"/>) when that
    /// row's entity is loaded. The entity's primary key must be set on the client before <c>SaveChanges</c> (GUID, UUIDv7,
    /// Nanoid or application-assigned keys; not database-generated ones), values are written only through
    /// <c>SaveChanges</c> (<c>ExecuteUpdate</c> is refused), and a query that projects the property alone, without its
    /// entity, is not checked. The same as <c>.IsBoundToRow()</c> in <c>OnModelCreating</c>. See SECURITY.md.
    /// </summary>
    public bool BindToRow { get; set; }
}
