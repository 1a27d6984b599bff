using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.CrashWorker;

/// <summary>One row with one file; <see cref="Name"/> is the worker's own identity for it (seed and sequence number).</summary>
public sealed class CrashItem : UuidV7Entity
{
    [MaxLength(64)]
    public string Name { get; set; } = "";

    public FileObject? File { get; set; }
}

/// <summary>The crash test's model, shared by the worker and the test that checks what it left.</summary>
public sealed class CrashContext(DbContextOptions<CrashContext> options) : DbContext(options)
{
    public DbSet<CrashItem> Items => Set<CrashItem>();
}

/// <summary>The content of version <c>version</c> of item <c>name</c>: deterministic, so the test can check every byte.</summary>
public static class CrashContent
{
    public static byte[] Create(string name, int version)
    {
        var block = SHA256.HashData(Encoding.UTF8.GetBytes($"{name}:{version}"));
        var content = new byte[1 + (BitConverter.ToUInt16(block, 0) % 48_000)];
        for (var i = 0; i < content.Length; i++)
        {
            content[i] = block[i % block.Length];
        }

        return content;
    }
}

/// <summary>
/// The windows the worker can be told to stop in (<c>hang:&lt;window&gt;:&lt;n&gt;</c>), shared by the worker's
/// <c>CrashPoint</c> and the test that picks them.
/// </summary>
public static class CrashWindows
{
    public static readonly IReadOnlyList<string> All = ["after-upload", "before-commit", "after-commit", "before-delete"];
}
