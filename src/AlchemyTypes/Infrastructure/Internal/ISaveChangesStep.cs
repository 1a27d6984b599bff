using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// One concept's work around <c>SaveChanges</c> (auditing, UTC checks, passwords, encryption, files). The save interceptor
/// detects changes once, then calls every step in <see cref="Order"/>; a step reads <c>ChangeTracker.Entries()</c> without
/// detecting changes again. Steps are scoped EF Core services, registered as an enumerable.
/// </summary>
internal interface ISaveChangesStep
{
    /// <summary>Where the step runs: lower first. Steps that may refuse a save cheaply run before steps that do I/O.</summary>
    int Order { get; }

    /// <summary>Before EF Core sends any command.</summary>
    ValueTask SavingChangesAsync(DbContext context, bool async, CancellationToken cancellationToken);

    /// <summary>After EF Core accepted the save (committed, unless a transaction is open). Never throws for post-commit work.</summary>
    ValueTask SavedChangesAsync(DbContext context, bool async, CancellationToken cancellationToken);

    /// <summary>After the save failed or was cancelled.</summary>
    ValueTask SaveChangesFailedAsync(DbContext context, bool async);
}
