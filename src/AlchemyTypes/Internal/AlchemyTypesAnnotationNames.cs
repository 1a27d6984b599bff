namespace AlchemyTypes.Internal;

/// <summary>Names of the model annotations AlchemyTypes reads and writes.</summary>
internal static class AlchemyTypesAnnotationNames
{
    public const string Prefix = "AlchemyTypes:";
    public const string UtcEnforcement = Prefix + "UtcEnforcement";
    public const string FileBackend = Prefix + "FileBackend";
    public const string MaxFileSize = Prefix + "MaxFileSize";
    public const string AllowedContentTypes = Prefix + "AllowedContentTypes";
    public const string FileProperties = Prefix + "FileProperties";
    public const string HasFileProperties = Prefix + "HasFileProperties";
}
