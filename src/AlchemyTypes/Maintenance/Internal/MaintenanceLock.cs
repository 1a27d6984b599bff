using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// One maintenance run at a time across the processes that share a database: a PostgreSQL session advisory lock, held on
/// the context's connection (kept open) for the run. Other providers: one run at a time per process only (SQLite is
/// one process's database in practice; run maintenance in one process).
/// </summary>
internal static class MaintenanceLock
{
    /// <summary>The advisory lock key: the first 8 bytes of SHA-256("AlchemyTypes.FileMaintenance").</summary>
    public const long Key = 0x4A6C_F1E2_7D3B_5A90;

    public static bool IsDatabaseWide(DbContext context) => context.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    /// <summary>Tries to take the lock; the connection stays open until <see cref="ReleaseAsync"/>.</summary>
    public static async Task<bool> TryAcquireAsync(DbContext context, CancellationToken cancellationToken)
    {
        if (!IsDatabaseWide(context))
        {
            return true;
        }

        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var acquired = await ScalarAsync(context, $"SELECT pg_try_advisory_lock({Key})", cancellationToken).ConfigureAwait(false);
        if (!acquired)
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        return acquired;
    }

    public static async Task ReleaseAsync(DbContext context)
    {
        if (!IsDatabaseWide(context))
        {
            return;
        }

        try
        {
            await ScalarAsync(context, $"SELECT pg_advisory_unlock({Key})", CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> ScalarAsync(DbContext context, string sql, CancellationToken cancellationToken)
    {
        var command = context.Database.GetDbConnection().CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }
}
