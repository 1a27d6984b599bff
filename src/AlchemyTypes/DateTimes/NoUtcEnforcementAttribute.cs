namespace AlchemyTypes;

/// <summary>
/// Opts a <see cref="DateTime"/> property out of the UTC enforcement that <c>AddAlchemyTypes()</c> applies by convention.
/// The property is then stored and read exactly as EF Core and the database provider would without AlchemyTypes.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class NoUtcEnforcementAttribute : Attribute
{
}
