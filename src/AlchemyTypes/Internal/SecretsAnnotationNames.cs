namespace AlchemyTypes.Internal;

/// <summary>Names of the model annotations of encrypted strings and blind indexes.</summary>
internal static class SecretsAnnotationNames
{
    public const string Encrypted = AlchemyTypesAnnotationNames.Prefix + "Encrypted";
    public const string EncryptedMaxLength = AlchemyTypesAnnotationNames.Prefix + "EncryptedMaxLength";
    public const string BlindIndex = AlchemyTypesAnnotationNames.Prefix + "BlindIndex";

    /// <summary>On an encrypted property: the name of its blind-index shadow property.</summary>
    public const string BlindIndexProperty = AlchemyTypesAnnotationNames.Prefix + "BlindIndexProperty";

    /// <summary>On a blind-index shadow property: the name of the encrypted property it indexes.</summary>
    public const string BlindIndexOf = AlchemyTypesAnnotationNames.Prefix + "BlindIndexOf";

    public const string SecretPropertiesCache = AlchemyTypesAnnotationNames.Prefix + "SecretProperties";

    public const string BlindIndexSuffix = "BlindIndex";
}
