using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AlchemyTypes.Keys;

/// <summary>
/// Generates RFC 9562 version 6 UUIDs: the Gregorian 100-nanosecond timestamp of version 1, reordered so that the
/// most significant bits come first, followed by a random clock sequence and node. Values from one generator are
/// strictly increasing in big-endian byte order, even within one clock tick. RFC 9562 recommends version 7 for new
/// systems; version 6 is offered for compatibility with stores that already use it.
/// </summary>
/// <remarks>This type is thread-safe. Its state (the last timestamp) is per instance: keep one instance per process.</remarks>
public sealed class UuidV6Generator
{
    // 100-ns intervals between the Gregorian reform (1582-10-15) and 0001-01-01, the DateTime epoch.
    private static readonly long GregorianOffsetTicks = new DateTime(1582, 10, 15, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private long _lastTimestamp;

    /// <summary>Creates a generator that reads the system clock.</summary>
    public UuidV6Generator()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates a generator that reads <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock.</param>
    public UuidV6Generator(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>Creates a new version 6 UUID, greater than every one this instance created before.</summary>
    /// <returns>The UUID.</returns>
    public Guid NewGuid()
    {
        var timestamp = _timeProvider.GetUtcNow().UtcTicks - GregorianOffsetTicks;
        lock (_lock)
        {
            // Monotonic: a clock that has not advanced (or went back) continues from the last value plus one tick.
            timestamp = Math.Max(timestamp, _lastTimestamp + 1);
            _lastTimestamp = timestamp;
        }

        Span<byte> bytes = stackalloc byte[16];
        // time_high (32 bits), time_mid (16 bits), version (4 bits) + time_low (12 bits).
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(timestamp >> 28));
        BinaryPrimitives.WriteUInt16BigEndian(bytes[4..], (ushort)(timestamp >> 12));
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], (ushort)(0x6000 | (timestamp & 0x0FFF)));
        // Clock sequence and node: random, with the RFC 9562 variant bits 10.
        RandomNumberGenerator.Fill(bytes[8..]);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
