using System.Text.Json;
using AlchemyTypes.Argon2;
using AlchemyTypes.Encryption;
using AlchemyTypes.Sample.Data;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.Azure;
using AlchemyTypes.Storage.S3;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Sample;

/// <summary>Everything the sample reads from configuration: database, storage backends, encryption keys.</summary>
public static class SampleSetup
{
    /// <summary>
    /// Registers the sample's DbContext (SQLite or PostgreSQL, from <c>Database:Provider</c>), the storage registry
    /// (from <c>AlchemyTypes:Storage</c>: Local, InMemory, S3 or AzureBlob), the key ring and the Argon2 hasher.
    /// </summary>
    public static void AddSampleData(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;
        MakeLocalRootsAbsolute(configuration, contentRoot);
        var uploadKeys = LoadUploadKeys(configuration, contentRoot);
        SignLocalBackends(configuration, uploadKeys.LocalSigningKey);
        builder.Services.AddSingleton(new DirectUploadOptions { SigningKey = uploadKeys.TokenKey });

        builder.Services.AddAlchemyTypesStorage(configuration.GetSection("AlchemyTypes:Storage"), types => types.AddS3Type().AddAzureBlobType());
        var keyRing = LoadKeyRing(configuration.GetSection("AlchemyTypes:Encryption"), contentRoot);
        builder.Services.AddSingleton(keyRing);

        // One Argon2id hasher for the contexts and for sign-in's dummy verification (same parameters, same cost).
        builder.Services.AddSingleton(_ => new Argon2PasswordHasher());
        builder.Services.AddSingleton(sp => new SignInCheck(sp.GetRequiredService<Argon2PasswordHasher>()));

        var provider = configuration["Database:Provider"] ?? "Sqlite";
        var connectionString = configuration["Database:ConnectionString"];
        if (string.Equals(provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Database:Provider is PostgreSQL but Database:ConnectionString is empty.");
            }

            builder.Services.AddDbContext<PostgresSampleDbContext>((sp, o) => Configure(o.UseNpgsql(connectionString), sp));
            builder.Services.AddScoped<SampleDbContext>(sp => sp.GetRequiredService<PostgresSampleDbContext>());
        }
        else if (string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            connectionString ??= "Data Source=App_Data/sample.db";
            var sqlite = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
            if (!Path.IsPathRooted(sqlite.DataSource) && sqlite.DataSource != ":memory:")
            {
                sqlite.DataSource = Path.Combine(contentRoot, sqlite.DataSource);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
            builder.Services.AddDbContext<SqliteSampleDbContext>((sp, o) => Configure(o.UseSqlite(sqlite.ConnectionString), sp));
            builder.Services.AddScoped<SampleDbContext>(sp => sp.GetRequiredService<SqliteSampleDbContext>());
        }
        else
        {
            throw new InvalidOperationException($"Database:Provider '{provider}' is not supported: use Sqlite or PostgreSQL.");
        }
    }

    /// <summary>The one AlchemyTypes line of the sample: storage from DI, the key ring, Argon2id for passwords.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, IServiceProvider services)
        => options.AddAlchemyTypes(a => a
            .UseStorageRegistry(services.GetRequiredService<StorageRegistry>())
            .UseEncryption(services.GetRequiredService<EncryptionKeyRing>())
            .UseDirectUploads(services.GetRequiredService<DirectUploadOptions>())
            .UseArgon2(services.GetRequiredService<Argon2PasswordHasher>(), useForNewHashes: true));

    /// <summary>
    /// Keys from configuration (<c>Keys:&lt;id&gt;</c> = Base64, <c>CurrentKeyId</c>, <c>BlindIndexKey</c>) — in production
    /// from environment variables, user secrets or a vault — else a development key file created on first run.
    /// </summary>
    public static EncryptionKeyRing LoadKeyRing(IConfigurationSection section, string contentRoot)
    {
        var ring = new EncryptionKeyRing();
        var keys = section.GetSection("Keys").GetChildren().ToList();
        if (keys.Count > 0)
        {
            foreach (var key in keys)
            {
                ring.Add(key.Key, Convert.FromBase64String(key.Value ?? ""));
            }

            ring.SetCurrent(section["CurrentKeyId"] ?? keys[^1].Key);
            ring.SetBlindIndexKey(Convert.FromBase64String(section["BlindIndexKey"]
                ?? throw new InvalidOperationException("AlchemyTypes:Encryption:BlindIndexKey is required with AlchemyTypes:Encryption:Keys.")));
            return ring;
        }

        var file = Path.Combine(contentRoot, section["KeyFile"] ?? "App_Data/development-keys.json");
        DevelopmentKeys? stored = null;
        if (File.Exists(file))
        {
            stored = JsonSerializer.Deserialize<DevelopmentKeys>(File.ReadAllText(file));
        }

        if (stored is null)
        {
            stored = new DevelopmentKeys("dev1", Convert.ToBase64String(EncryptionKeyRing.GenerateKey()),
                Convert.ToBase64String(EncryptionKeyRing.GenerateKey()));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, JsonSerializer.Serialize(stored));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return ring.Add(stored.KeyId, Convert.FromBase64String(stored.Key), makeCurrent: true)
            .SetBlindIndexKey(Convert.FromBase64String(stored.BlindIndexKey));
    }

    /// <summary>
    /// The keys of direct uploads: one signs the attach tokens, one signs the local backend's upload and download URLs.
    /// From configuration (<c>AlchemyTypes:DirectUploads:TokenKey</c>, <c>…:LocalSigningKey</c>, Base64) or a development file.
    /// </summary>
    private static UploadKeys LoadUploadKeys(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection("AlchemyTypes:DirectUploads");
        if (section["TokenKey"] is { Length: > 0 } token && section["LocalSigningKey"] is { Length: > 0 } local)
        {
            return new UploadKeys(Convert.FromBase64String(token), Convert.FromBase64String(local));
        }

        var file = Path.Combine(contentRoot, section["KeyFile"] ?? "App_Data/development-upload-keys.json");
        if (File.Exists(file) && JsonSerializer.Deserialize<StoredUploadKeys>(File.ReadAllText(file)) is { } stored)
        {
            return new UploadKeys(Convert.FromBase64String(stored.TokenKey), Convert.FromBase64String(stored.LocalSigningKey));
        }

        var keys = new UploadKeys(EncryptionKeyRing.GenerateKey(), EncryptionKeyRing.GenerateKey());
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(new StoredUploadKeys(Convert.ToBase64String(keys.TokenKey),
            Convert.ToBase64String(keys.LocalSigningKey))));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return keys;
    }

    // Local backends without their own signing settings sign URLs served by this app under /files/<backend>/.
    private static void SignLocalBackends(ConfigurationManager configuration, byte[] signingKey)
    {
        var origin = (configuration["PublicUrl"] ?? configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0].TrimEnd('/');
        foreach (var backend in configuration.GetSection("AlchemyTypes:Storage:Backends").GetChildren())
        {
            if (string.Equals(backend["Type"], "Local", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(backend["SigningKey"]))
            {
                configuration[$"{backend.Path}:SigningKey"] = Convert.ToBase64String(signingKey);
                configuration[$"{backend.Path}:BaseUrl"] = $"{origin}/files/{backend.Key}/";
            }
        }
    }

    private static void MakeLocalRootsAbsolute(ConfigurationManager configuration, string contentRoot)
    {
        foreach (var backend in configuration.GetSection("AlchemyTypes:Storage:Backends").GetChildren())
        {
            if (backend["RootPath"] is { Length: > 0 } root && !Path.IsPathRooted(root))
            {
                configuration[$"{backend.Path}:RootPath"] = Path.Combine(contentRoot, root);
            }
        }
    }

    private sealed record UploadKeys(byte[] TokenKey, byte[] LocalSigningKey);

    private sealed record StoredUploadKeys(string TokenKey, string LocalSigningKey);

    private sealed record DevelopmentKeys(string KeyId, string Key, string BlindIndexKey);
}
