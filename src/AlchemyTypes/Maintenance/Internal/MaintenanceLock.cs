using System.Data.Common;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// One maintenance run at a time across every process that shares the database, on every provider: a lease held in one
/// reserved row of the outbox table (<see cref="LeaseId"/>; no table of its own, so no migration). A run takes the lease
/// with a conditional UPDATE (the row is free or its lease ran out) or an INSERT (no row: the primary key lets one inserter
/// win), renews it on a connection of its own while it works, and deletes the row when it ends. A run that crashed holds the
/// lease until it runs out (<see cref="Duration"/>). A run that loses its lease (it could not renew in time) is cancelled:
/// every maintenance operation stops safely at cancellation. The outbox processor and the backlog never see the row.
/// </summary>
internal sealed class MaintenanceLock : IAsyncDisposable, IDisposable
{
    /// <summary>The reserved outbox row's id (never a UUIDv7 of a real delete: its version nibble is 0).</summary>
    public static readonly Guid LeaseId = new("a1c4e3a5-1ea5-0000-8000-00000000f11e");

    /// <summary>The reserved row's key, for whoever looks at the table.</summary>
    public const string LeaseKey = "alchemy:maintenance-lease";

    /// <summary>How long a lease lasts without renewal.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);

    private readonly DbContext _context;
    private readonly Guid _holder;
    private readonly Commands _commands;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _renewal;

    private MaintenanceLock(DbContext context, Guid holder, Commands commands, ILogger logger)
    {
        _context = context;
        _holder = holder;
        _commands = commands;
        _logger = logger;
    }

    /// <summary>Cancelled when the lease was lost (not renewed in time); the run must stop.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Tries to take the lease; null when another run holds it.</summary>
    public static async Task<MaintenanceLock?> TryAcquireAsync(DbContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var commands = Commands.For(context);
        try
        {
            return await TryAcquireAsync(context, commands, logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            commands.Dispose();
            throw;
        }
    }

    private static async Task<MaintenanceLock?> TryAcquireAsync(DbContext context, Commands commands, ILogger logger, CancellationToken cancellationToken)
    {
        var holder = Guid.NewGuid();
        var now = AlchemyTypesClock.UtcNow(context);
        if (await context.Database.ExecuteSqlRawAsync(commands.TakeOver, commands.TakeOverParameters(holder, now + Duration, now), cancellationToken)
                .ConfigureAwait(false) == 0)
        {
            try
            {
                await context.Database.ExecuteSqlRawAsync(commands.Insert, commands.InsertParameters(holder, now + Duration, now), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                // A unique-key violation: another run inserted the row first. Any other failure is rethrown. (COUNT is a bigint
                // on PostgreSQL and MySQL: read as long.)
                if (await context.Database.SqlQueryRaw<long>(commands.Count, commands.IdParameter())
                        .ToListAsync(cancellationToken).ConfigureAwait(false) is [> 0])
                {
                    commands.Dispose();
                    return null;
                }

                throw;
            }
        }

        var held = new MaintenanceLock(context, holder, commands, logger);
        held._renewal = held.RenewAsync();
        return held;
    }

    /// <summary>Stops renewing and frees the lease (a run that cannot free it leaves it to run out).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_renewal is not null)
        {
            await _renewal.ConfigureAwait(false);
        }

        try
        {
            await _context.Database.ExecuteSqlRawAsync(_commands.Release, _commands.HolderParameters(_holder), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            _logger.LogWarning(ex, "AlchemyTypes could not free the maintenance lease; it runs out within {Duration}.", Duration);
        }

        Dispose();
    }

    /// <summary>Frees what the lock holds in memory (<see cref="DisposeAsync"/> also frees the lease).</summary>
    public void Dispose()
    {
        _stop.Dispose();
        _lost.Dispose();
        _commands.Dispose();
    }

    /// <summary>
    /// Renews the lease every fifth of its duration on a connection of its own (the run's context is busy); if it cannot be
    /// renewed before it runs out, <see cref="Lost"/> is cancelled. Without a second connection (an in-memory SQLite database,
    /// which no other process can open) the lease is not renewed.
    /// </summary>
    private async Task RenewAsync()
    {
        var until = AlchemyTypesClock.UtcNow(_context) + Duration;
        DbConnection? connection = null;
        try
        {
            connection = await _commands.OpenSeparateConnectionAsync(_context, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogDebug(ex, "AlchemyTypes cannot open a second connection to renew the maintenance lease.");
        }

        if (connection is null)
        {
            // A database only this process can open (in-memory SQLite): no other instance can run against it; the lease
            // still keeps a second run of this process out, and runs out on its own after a crash.
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(Duration / 5, _stop.Token).ConfigureAwait(false);
                var now = AlchemyTypesClock.UtcNow(_context);
                try
                {
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.CommandText = _commands.RenewText;
                        command.Parameters.AddRange(_commands.RenewParameters(command, _holder, now + Duration));
                        if (await command.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false) == 1)
                        {
                            until = now + Duration;
                            continue;
                        }
                    }

                    until = DateTime.MinValue; // another run took the lease over
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "AlchemyTypes could not renew the maintenance lease; it retries.");
                }

                if (AlchemyTypesClock.UtcNow(_context) >= until)
                {
                    _logger.LogWarning("AlchemyTypes lost the maintenance lease; the run stops (run it again).");
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The run ended.
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The lease's SQL, written with the provider's quoting and the outbox columns' own type mappings.</summary>
    private sealed class Commands : IDisposable
    {
        private readonly IProperty _id;
        private readonly IProperty _backend;
        private readonly IProperty _key;
        private readonly IProperty _enqueuedAt;
        private readonly IProperty _attempts;
        private readonly IProperty _claimToken;
        private readonly IProperty _claimedUntil;
        private readonly DbCommand _factory;

        private Commands(DbContext context)
        {
            var entity = context.Model.FindEntityType(typeof(PendingStorageDelete))
                ?? throw new AlchemyTypesConfigurationException("The model has no FileObject properties, so it has no storage delete outbox: "
                    + "there is nothing to maintain.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = context.GetService<ISqlGenerationHelper>();
            _id = entity.FindProperty(nameof(PendingStorageDelete.Id))!;
            _backend = entity.FindProperty(nameof(PendingStorageDelete.Backend))!;
            _key = entity.FindProperty(nameof(PendingStorageDelete.Key))!;
            _enqueuedAt = entity.FindProperty(nameof(PendingStorageDelete.EnqueuedAt))!;
            _attempts = entity.FindProperty(nameof(PendingStorageDelete.Attempts))!;
            _claimToken = entity.FindProperty(nameof(PendingStorageDelete.ClaimToken))!;
            _claimedUntil = entity.FindProperty(nameof(PendingStorageDelete.ClaimedUntil))!;
            _factory = context.Database.GetDbConnection().CreateCommand();
            string C(IProperty p) => sql.DelimitIdentifier(p.GetColumnName(table)!);
            string P(string name) => sql.GenerateParameterNamePlaceholder(name);
            var name = sql.DelimitIdentifier(table.Name, table.Schema);
            TakeOver = $"UPDATE {name} SET {C(_claimToken)} = {{0}}, {C(_claimedUntil)} = {{1}} "
                + $"WHERE {C(_id)} = {{2}} AND ({C(_claimedUntil)} IS NULL OR {C(_claimedUntil)} < {{3}})";
            Insert = $"INSERT INTO {name} ({C(_id)}, {C(_backend)}, {C(_key)}, {C(_enqueuedAt)}, {C(_attempts)}, {C(_claimToken)}, "
                + $"{C(_claimedUntil)}) VALUES ({{0}}, {{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}})";
            Count = $"SELECT COUNT(*) AS {sql.DelimitIdentifier("Value")} FROM {name} WHERE {C(_id)} = {{0}}";
            Release = $"DELETE FROM {name} WHERE {C(_id)} = {{0}} AND {C(_claimToken)} = {{1}}";
            RenewText = $"UPDATE {name} SET {C(_claimedUntil)} = {P("alchemy_until")} "
                + $"WHERE {C(_id)} = {P("alchemy_lease")} AND {C(_claimToken)} = {P("alchemy_holder")}";
        }

        public string TakeOver { get; }

        public string Insert { get; }

        public string Count { get; }

        public string Release { get; }

        public string RenewText { get; }

        public static Commands For(DbContext context) => new(context);

        public void Dispose() => _factory.Dispose();

        public object[] TakeOverParameters(Guid holder, DateTime until, DateTime now)
            => [P(_claimToken, "h", holder), P(_claimedUntil, "u", until), P(_id, "i", LeaseId), P(_claimedUntil, "n", now)];

        public object[] InsertParameters(Guid holder, DateTime until, DateTime now)
            => [P(_id, "i", LeaseId), P(_backend, "b", ""), P(_key, "k", LeaseKey), P(_enqueuedAt, "e", now), P(_attempts, "a", 0),
                P(_claimToken, "h", holder), P(_claimedUntil, "u", until)];

        public object[] IdParameter() => [P(_id, "i", LeaseId)];

        public object[] HolderParameters(Guid holder) => [P(_id, "i", LeaseId), P(_claimToken, "h", holder)];

        public DbParameter[] RenewParameters(DbCommand command, Guid holder, DateTime until)
            =>
            [
                _claimedUntil.GetRelationalTypeMapping().CreateParameter(command, "alchemy_until", until),
                _id.GetRelationalTypeMapping().CreateParameter(command, "alchemy_lease", LeaseId),
                _claimToken.GetRelationalTypeMapping().CreateParameter(command, "alchemy_holder", holder),
            ];

        /// <summary>A second connection to the same database (the context's is busy with the run).</summary>
        public async Task<DbConnection?> OpenSeparateConnectionAsync(DbContext context, CancellationToken cancellationToken)
        {
            var main = context.Database.GetDbConnection();
            var connectionString = context.Database.GetConnectionString();
            if (string.IsNullOrEmpty(connectionString) || connectionString.Contains(":memory:", StringComparison.OrdinalIgnoreCase)
                || connectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var connection = DbProviderFactories.GetFactory(main)?.CreateConnection();
            if (connection is null)
            {
                return null;
            }

            connection.ConnectionString = connectionString;
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }

        private DbParameter P(IProperty property, string name, object value)
            => property.GetRelationalTypeMapping().CreateParameter(_factory, "alchemy_lease_" + name, value);
    }
}
