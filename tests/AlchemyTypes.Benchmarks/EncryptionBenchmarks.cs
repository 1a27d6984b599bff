using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.Encryption;
using AlchemyTypes.Encryption.Internal;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Benchmarks;

/// <summary>
/// EncryptedString costs, each as a ratio to its baseline in the same run: one value's round trip against raw
/// <see cref="AesGcm"/>, and materialising 100k rows with an encrypted column against a plain string column (SQLite).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class EncryptionBenchmarks
{
    private const int Rows = 100_000;
    private const string Value = "alice.wonderland@example.com";

    private readonly EncryptionKeyRing _ring = new EncryptionKeyRing().Add("k1",
        EncryptionKeyRing.GenerateKey()).SetBlindIndexKey(EncryptionKeyRing.GenerateKey());
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private AesGcm _aes = null!;
    private readonly EncryptionBinding _binding = EncryptionBinding.For(null, "EncryptedRows", "Value");
    private EncryptedStringConverter _converter = null!;
    private Func<object?, object?> _blindIndex = null!;
    private Func<object?, object?> _toProvider = null!;
    private Func<object?, object?> _fromProvider = null!;
    private string _path = "";
    private DbContextOptions<BenchContext> _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _aes = new AesGcm(_key, 16);
        _converter = new EncryptedStringConverter(_ring, "Bench", "Value", null, _binding);
        _blindIndex = new BlindIndexConverter(_ring, "Bench", "Value", _binding).ConvertToProvider;
        _toProvider = _converter.ConvertToProvider;
        _fromProvider = _converter.ConvertFromProvider;

        _path = Path.Combine(Path.GetTempPath(), $"alchemytypes-bench-{Guid.NewGuid():N}.db");
        _options = new DbContextOptionsBuilder<BenchContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = _path }.ConnectionString)
            .ForBenchmark().AddAlchemyTypes(a => a.UseEncryption(_ring))
            .Options;
        using var context = new BenchContext(_options);
        context.Database.EnsureCreated();
        using var transaction = context.Database.BeginTransaction();
        var connection = context.Database.GetDbConnection();
        using var plain = connection.CreateCommand();
        plain.CommandText = "INSERT INTO PlainRows (Id, Value) VALUES ($id, $value)";
        var plainId = plain.CreateParameter();
        plainId.ParameterName = "$id";
        var plainValue = plain.CreateParameter();
        plainValue.ParameterName = "$value";
        plain.Parameters.Add(plainId);
        plain.Parameters.Add(plainValue);
        using var encrypted = connection.CreateCommand();
        encrypted.CommandText = "INSERT INTO EncryptedRows (Id, Value) VALUES ($id, $value)";
        var encryptedId = encrypted.CreateParameter();
        encryptedId.ParameterName = "$id";
        var encryptedValue = encrypted.CreateParameter();
        encryptedValue.ParameterName = "$value";
        encrypted.Parameters.Add(encryptedId);
        encrypted.Parameters.Add(encryptedValue);
        for (var i = 1; i <= Rows; i++)
        {
            var text = $"user{i}@example.com";
            plainId.Value = i;
            plainValue.Value = text;
            plain.ExecuteNonQuery();
            encryptedId.Value = i;
            encryptedValue.Value = EncryptedStringCipher.Encrypt(_ring, text, _binding);
            encrypted.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    [BenchmarkCategory("RoundTrip"), Benchmark(Baseline = true)]
    public string RawAesGcm()
    {
        var plain = Encoding.UTF8.GetBytes(Value);
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> tag = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        var cipher = new byte[plain.Length];
        _aes.Encrypt(nonce, plain, cipher, tag);
        var stored = Convert.ToBase64String(cipher);
        var back = new byte[plain.Length];
        _aes.Decrypt(nonce, Convert.FromBase64String(stored), tag, back);
        return Encoding.UTF8.GetString(back);
    }

    [BenchmarkCategory("RoundTrip"), Benchmark]
    public string EncryptedStringRoundTrip() => (string)_fromProvider(_toProvider(Value))!;

    [BenchmarkCategory("RoundTrip"), Benchmark]
    public string BlindIndex() => (string)_blindIndex(Value)!;

    [BenchmarkCategory("Materialize100k"), Benchmark(Baseline = true)]
    public int PlainColumn()
    {
        using var context = new BenchContext(_options);
        return context.PlainRows.AsNoTracking().ToList().Count;
    }

    [BenchmarkCategory("Materialize100k"), Benchmark]
    public int EncryptedColumn()
    {
        using var context = new BenchContext(_options);
        return context.EncryptedRows.AsNoTracking().ToList().Count;
    }

    public sealed class PlainRow
    {
        public int Id { get; set; }

        public string Value { get; set; } = "";
    }

    public sealed class EncryptedRow
    {
        public int Id { get; set; }

        [Encrypted]
        public string Value { get; set; } = "";
    }

    public sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
    {
        public DbSet<PlainRow> PlainRows => Set<PlainRow>();

        public DbSet<EncryptedRow> EncryptedRows => Set<EncryptedRow>();
    }
}
