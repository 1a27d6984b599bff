namespace AlchemyTypes.Internal;

/// <summary>Names of the model annotations AlchemyTypes reads and writes.</summary>
internal static class AlchemyTypesAnnotationNames
{
    public const string Prefix = "AlchemyTypes:";
    public const string UtcEnforcement = Prefix + "UtcEnforcement";
}
