using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using AlchemyTypes.Infrastructure.Internal;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Marks string properties as encrypted in <c>OnModelCreating</c>, like <see cref="AlchemyTypes.EncryptedAttribute"/>.</summary>
public static class EncryptedPropertyBuilderExtensions
{
    /// <summary>
    /// Stores the property encrypted with AES-256-GCM under the key ring given to <c>UseEncryption</c>. Null stays NULL;
    /// the empty string is encrypted.
    /// </summary>
    /// <typeparam name="TProperty">The property type: <see cref="string"/> (nullable or not); anything else fails when the model is built.</typeparam>
    /// <param name="propertyBuilder">A string property.</param>
    /// <param name="maxLength">The longest plaintext accepted, in characters; null for no limit.</param>
    /// <param name="blindIndex">
    /// Adds a keyed-HMAC blind index (shadow column <c>&lt;Property&gt;BlindIndex</c> with a database index) so that
    /// <c>Where(e =&gt; e.Property == value)</c> works without decrypting; it reveals which rows hold equal values.
    /// </param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder<TProperty> IsEncrypted<TProperty>(this PropertyBuilder<TProperty> propertyBuilder, int? maxLength = null,
        bool blindIndex = false)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        if (maxLength is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "The maximum plaintext length must be positive, or null for no limit.");
        }

        propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.Encrypted, true);
        propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.EncryptedMaxLength, maxLength);
        propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.BlindIndex, blindIndex);
        return propertyBuilder;
    }

    /// <summary>
    /// Binds each value of an encrypted property to its row as well as to its table and column, like
    /// <see cref="AlchemyTypes.EncryptedAttribute.BindToRow"/>: a value copied to another row fails when that row's entity is
    /// loaded. The entity's primary key must be set on the client before <c>SaveChanges</c>; values are written only through
    /// <c>SaveChanges</c>; a query projecting the property without its entity is not checked. See SECURITY.md.
    /// </summary>
    /// <typeparam name="TProperty">The property type: <see cref="string"/>.</typeparam>
    /// <param name="propertyBuilder">A property marked with <c>IsEncrypted</c> or <see cref="AlchemyTypes.EncryptedAttribute"/>.</param>
    /// <returns>The same builder.</returns>
    public static PropertyBuilder<TProperty> IsBoundToRow<TProperty>(this PropertyBuilder<TProperty> propertyBuilder)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        propertyBuilder.HasAnnotation(AlchemyTypesAnnotationNames.EncryptedBindToRow, true);
        return propertyBuilder;
    }
}
