using AlchemyTypes.DateTimes;
using AlchemyTypes.DateTimes.Internal;

namespace AlchemyTypes.Tests.DateTimes;

public sealed class UtcDateTimeConverterTests
{
    private readonly UtcDateTimeConverter _converter = new("Order", "PlacedAt");

    [Fact]
    public void Utc_passes_through_and_local_is_converted()
    {
        var utc = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Assert.Equal(utc, _converter.ConvertToProvider(utc));

        var local = new DateTime(2025, 7, 1, 12, 0, 0, DateTimeKind.Local);
        var stored = (DateTime)_converter.ConvertToProvider(local)!;
        Assert.Equal(DateTimeKind.Utc, stored.Kind);
        Assert.Equal(local.ToUniversalTime(), stored);
    }

    [Fact]
    public void Unspecified_throws_naming_entity_and_property()
    {
        var error = Assert.Throws<UnspecifiedDateTimeKindException>(() => _converter.ConvertToProvider(new DateTime(2025, 1, 1)));
        Assert.Equal("Order", error.EntityType);
        Assert.Equal("PlacedAt", error.Property);
        Assert.Contains("[NoUtcEnforcement]", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AlchemyTypesException>(error);
    }

    [Fact]
    public void Reads_are_marked_utc()
    {
        var read = (DateTime)_converter.ConvertFromProvider(new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Unspecified))!;
        Assert.Equal(DateTimeKind.Utc, read.Kind);
        Assert.Equal(8, read.Hour);
    }
}
