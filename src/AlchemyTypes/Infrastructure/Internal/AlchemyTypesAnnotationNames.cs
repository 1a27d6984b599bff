namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>Names of every model and runtime annotation AlchemyTypes reads and writes (one place for all concepts).</summary>
internal static class AlchemyTypesAnnotationNames
{
    public const string Prefix = "AlchemyTypes:";
    public const string UtcEnforcement = Prefix + "UtcEnforcement";
    public const string FileBackend = Prefix + "FileBackend";
    public const string MaxFileSize = Prefix + "MaxFileSize";
    public const string AllowedContentTypes = Prefix + "AllowedContentTypes";
    public const string FileProperties = Prefix + "FileProperties";
    public const string HasFileProperties = Prefix + "HasFileProperties";

    public const string Encrypted = Prefix + "Encrypted";
    public const string EncryptedMaxLength = Prefix + "EncryptedMaxLength";
    public const string EncryptedBindToRow = Prefix + "EncryptedBindToRow";
    public const string RowBoundPropertiesCache = Prefix + "RowBoundProperties";
    public const string ModelHasRowBoundProperties = Prefix + "ModelHasRowBoundProperties";
    public const string BlindIndex = Prefix + "BlindIndex";

    /// <summary>On an encrypted property: the name of its blind-index shadow property.</summary>
    public const string BlindIndexProperty = Prefix + "BlindIndexProperty";

    /// <summary>On a blind-index shadow property: the name of the encrypted property it indexes.</summary>
    public const string BlindIndexOf = Prefix + "BlindIndexOf";

    /// <summary>The suffix of a blind-index shadow property's name (a property name, not an annotation).</summary>
    public const string BlindIndexSuffix = "BlindIndex";

    /// <summary>Runtime annotation: the encrypted properties of an entity type, cached.</summary>
    public const string EncryptedPropertiesCache = Prefix + "EncryptedProperties";

    /// <summary>Runtime annotation: the password-hash properties of an entity type, cached.</summary>
    public const string PasswordPropertiesCache = Prefix + "PasswordProperties";

    /// <summary>Runtime annotation: the UTC-enforced DateTime properties of an entity type, cached.</summary>
    public const string UtcPropertiesCache = Prefix + "UtcProperties";
}
