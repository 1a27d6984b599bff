using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.Passwords.Internal;

/// <summary>Stores a <see cref="PasswordHash"/> as its encoded string; loaded values carry the context's hashers.</summary>
internal sealed class PasswordHashConverter : ValueConverter<PasswordHash, string>
{
    public PasswordHashConverter(PasswordHasherRegistry? registry, string entityType = "(entity)", string property = "(password)")
        : base(
            value => value.ToProvider(entityType, property),
            stored => PasswordHash.Loaded(stored, RequireRegistry(registry)),
            new ConverterMappingHints(unicode: false))
    {
        Registry = registry;
    }

    public PasswordHasherRegistry? Registry { get; }

    internal static PasswordHasherRegistry RequireRegistry(PasswordHasherRegistry? registry)
        => registry ?? throw new AlchemyTypesConfigurationException(
            "The model has a PasswordHash property but no password hasher is registered: add one with AddAlchemyTypes(a => a.UseArgon2()) "
            + "(package AlchemyTypes.Argon2) or a.UseBCrypt() (package AlchemyTypes.BCrypt).");
}
