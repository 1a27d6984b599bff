using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// Makes two statements Oracle's <c>MySql.EntityFrameworkCore</c> 10 writes run on MariaDB as well as on MySQL (only on that
/// provider; every other command and provider is untouched):
/// <list type="bullet">
/// <item><c>ExecuteDelete</c>'s <c>DELETE FROM `t` AS `a` WHERE …</c> (a table alias MariaDB 10.11 rejects in a
/// single-table DELETE) becomes the multi-table form <c>DELETE `a` FROM `t` AS `a` WHERE …</c>, which both servers accept
/// and which deletes the same rows. A statement with <c>LIMIT</c> or <c>ORDER BY</c> is left alone (the multi-table form
/// has neither).</item>
/// <item>The migrations lock <c>GET_LOCK('__EFMigrationsLock',-1)</c>: MariaDB returns NULL for a negative timeout (MySQL
/// waits forever), and the provider fails casting that NULL. It becomes
/// <c>(GET_LOCK('__EFMigrationsLock',86400) + 0 * 9223372036854775807)</c>: a wait of <see cref="MigrationLockTimeoutSeconds"/>
/// seconds, the same exclusive lock on both servers, and a BIGINT result (MariaDB types GET_LOCK, and a CAST of it AS
/// SIGNED, as a short INT, which the provider cannot unbox to a long either; the BIGINT term makes the sum a BIGINT).</item>
/// </list>
/// </summary>
internal sealed partial class MySqlCompatibilityInterceptor : DbCommandInterceptor
{
    /// <summary>The provider this interceptor corrects (Pomelo's provider writes both statements in a form MariaDB accepts).</summary>
    public const string OracleProvider = "MySql.EntityFrameworkCore";

    /// <summary>How long <c>dotnet ef database update</c> / <c>Migrate()</c> waits for another migrating process: one day.</summary>
    public const int MigrationLockTimeoutSeconds = 86_400;

    private const string InfiniteMigrationLock = "GET_LOCK('__EFMigrationsLock',-1)";

    private static readonly string FiniteMigrationLock =
        "(GET_LOCK('__EFMigrationsLock'," + MigrationLockTimeoutSeconds.ToString(CultureInfo.InvariantCulture) + ") + 0 * 9223372036854775807)";

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Rewrite(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Rewrite(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Rewrite(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command, eventData);
        return ValueTask.FromResult(result);
    }

    /// <summary>The corrected text of a command of <c>MySql.EntityFrameworkCore</c>, or the text itself.</summary>
    public static string Correct(string text)
    {
        if (text.Contains(InfiniteMigrationLock, StringComparison.Ordinal))
        {
            return text.Replace(InfiniteMigrationLock, FiniteMigrationLock, StringComparison.Ordinal);
        }

        if (!text.StartsWith("DELETE FROM `", StringComparison.Ordinal)
            || text.Contains("LIMIT", StringComparison.OrdinalIgnoreCase)
            || text.Contains("ORDER BY", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        var match = AliasedDelete().Match(text);
        return match.Success
            ? $"DELETE {match.Groups["alias"].Value} FROM {match.Groups["table"].Value} AS {match.Groups["alias"].Value}{text[match.Length..]}"
            : text;
    }

    private static void Rewrite(DbCommand command, CommandEventData eventData)
    {
        if (eventData.Context?.Database.ProviderName == OracleProvider)
        {
            var text = command.CommandText;
            var corrected = Correct(text);
            if (!ReferenceEquals(text, corrected))
            {
                command.CommandText = corrected;
            }
        }
    }

    // DELETE FROM `schema`.`table` AS `alias` (backquoted identifiers, `` escaping a backquote inside one).
    [GeneratedRegex(@"\ADELETE FROM (?<table>`(?:[^`]|``)+`(?:\.`(?:[^`]|``)+`)?) AS (?<alias>`(?:[^`]|``)+`)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AliasedDelete();
}
