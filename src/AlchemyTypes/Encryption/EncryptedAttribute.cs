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
}
