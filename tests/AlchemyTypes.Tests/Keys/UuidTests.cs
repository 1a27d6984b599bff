using System.Data.SqlTypes;
using AlchemyTypes.Keys;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Keys;

public sealed class UuidTests
{
    private const string SqlServer = "Microsoft.EntityFrameworkCore.SqlServer";
    private const string Npgsql = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";

    [Theory]
    [InlineData(Npgsql)]
    [InlineData(Sqlite)]
    [InlineData(null)]
    public void V7_is_rfc_9562_and_strictly_increasing_in_big_endian_order_within_a_millisecond(string? provider)
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => UuidV7ValueGenerator.NewGuid(provider)).ToArray();
        Assert.All(ids.Take(1000), id => Assert.Equal(7, id.Version));
        Assert.All(ids.Take(1000), id => Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6)); // RFC 9562 variant
        for (var i = 1; i < ids.Length; i++)
        {
            Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"id {i} is not greater than id {i - 1}: {ids[i - 1]} {ids[i]}");
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString("D").ToUpperInvariant(), ids[i].ToString("D").ToUpperInvariant()) < 0);
        }

        // 100,000 ids take far less than 100,000 ms: many shared a millisecond, and they still increased.
        var millis = ids.Select(id => Convert.ToHexString(id.ToByteArray(bigEndian: true), 0, 6)).Distinct().Count();
        Assert.True(millis < ids.Length / 10, $"{millis} distinct milliseconds for {ids.Length} ids");
    }

    [Promise("P-KEYS-04")]
    [Fact]
    public void SqlServer_layout_is_strictly_increasing_in_uniqueidentifier_order()
    {
        // SqlGuid compares the way SQL Server's uniqueidentifier does: bytes 10-15 first, then 8-9, 6-7, 4-5, 0-3.
        var ids = Enumerable.Range(0, 20_000).Select(_ => new SqlGuid(UuidV7ValueGenerator.NewGuid(SqlServer))).ToArray();
        for (var i = 1; i < ids.Length; i++)
        {
            Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"SQL Server order broken at {i}: {ids[i - 1]} then {ids[i]}");
        }
    }

    [Promise("P-KEYS-04")]
    [Fact]
    public void Plain_v7_is_not_sequential_in_SqlServer_order_which_is_why_the_layout_differs()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => new SqlGuid(UuidV7ValueGenerator.NewGuid(Npgsql))).ToArray();
        var ascending = Enumerable.Range(1, ids.Length - 1).Count(i => ids[i - 1].CompareTo(ids[i]) < 0);
        Assert.InRange(ascending, 1, ids.Length - 100);
    }

    [Promise("P-KEYS-05")]
    [Fact]
    public void V6_is_rfc_9562_monotonic_and_carries_the_gregorian_timestamp()
    {
        var generator = new UuidV6Generator();
        var before = DateTime.UtcNow;
        var ids = Enumerable.Range(0, 50_000).Select(_ => generator.NewGuid()).ToArray();
        var after = DateTime.UtcNow;

        Assert.All(ids.Take(1000), id => Assert.Equal(6, id.Version));
        Assert.All(ids.Take(1000), id => Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6));
        for (var i = 1; i < ids.Length; i++)
        {
            Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"v6 order broken at {i}");
        }

        var first = DecodeV6(ids[0]);
        Assert.InRange(first, before.AddMilliseconds(-1), after.AddMilliseconds(1));
    }

    [Promise("P-KEYS-05")]
    [Fact]
    public void V6_follows_a_fixed_clock_by_ticking_forward()
    {
        var clock = new FixedClock(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var generator = new UuidV6Generator(clock);
        var a = generator.NewGuid();
        var b = generator.NewGuid();
        Assert.True(a.CompareTo(b) < 0);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, DecodeV6(a));
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddTicks(1), DecodeV6(b));
    }

    [Theory]
    [InlineData(SqlServer, UUIDNext.Database.SqlServer)]
    [InlineData(Npgsql, UUIDNext.Database.PostgreSql)]
    [InlineData(Sqlite, UUIDNext.Database.SQLite)]
    [InlineData("Pomelo.EntityFrameworkCore.MySql", UUIDNext.Database.Other)]
    public void Provider_names_pick_the_layout(string provider, UUIDNext.Database expected)
        => Assert.Equal(expected, UuidV7ValueGenerator.DatabaseFor(provider));

    private static DateTime DecodeV6(Guid id)
    {
        var b = id.ToByteArray(bigEndian: true);
        long timestamp = ((long)b[0] << 52) | ((long)b[1] << 44) | ((long)b[2] << 36) | ((long)b[3] << 28)
            | ((long)b[4] << 20) | ((long)b[5] << 12) | ((long)(b[6] & 0x0F) << 8) | b[7];
        return new DateTime(1582, 10, 15, 0, 0, 0, DateTimeKind.Utc).AddTicks(timestamp);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
