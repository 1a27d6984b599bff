using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlchemyTypes.Passwords.Internal;

/// <summary>
/// Keeps <see cref="PasswordHash"/> out of JSON: it is written as <c>null</c> (never the hash, the algorithm or a pending
/// plaintext), and reading one from JSON is refused, so a request body cannot set or clear a stored password hash
/// through model binding. Applied with <see cref="JsonConverterAttribute"/> on the type, so it holds with any options.
/// </summary>
internal sealed class PasswordHashJsonConverter : JsonConverter<PasswordHash>
{
    public override bool HandleNull => true;

    public override PasswordHash? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new JsonException(
            "A PasswordHash is never read from JSON: it would let a request body set or clear a stored password hash. "
            + "Bind the password to a string in a DTO and assign PasswordHash.FromPassword(password) in code.");

    public override void Write(Utf8JsonWriter writer, PasswordHash? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNullValue();
    }
}
