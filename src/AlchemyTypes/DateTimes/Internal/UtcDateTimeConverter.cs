using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AlchemyTypes.DateTimes.Internal;

/// <summary>
/// Converts <see cref="DateTime"/> values so that only UTC reaches the database and every value read back has
/// <see cref="DateTimeKind.Utc"/>: <see cref="DateTimeKind.Local"/> is converted, <see cref="DateTimeKind.Unspecified"/>
/// throws <see cref="UnspecifiedDateTimeKindException"/> naming the entity and property.
/// </summary>
internal sealed class UtcDateTimeConverter : ValueConverter<DateTime, DateTime>
{
    public UtcDateTimeConverter(string entityType, string property)
        : base(
            value => ToUtc(value, entityType, property),
            value => DateTime.SpecifyKind(value, DateTimeKind.Utc))
    {
        EntityType = entityType;
        Property = property;
    }

    public string EntityType { get; }

    public string Property { get; }

    internal static DateTime ToUtc(DateTime value, string entityType, string property)
        => value.Kind switch
        {
            DateTimeKind.Utc => value,
            DateTimeKind.Local => value.ToUniversalTime(),
            _ => throw new UnspecifiedDateTimeKindException(entityType, property),
        };
}
