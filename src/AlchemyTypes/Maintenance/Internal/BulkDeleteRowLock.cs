using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Locks the rows a bulk delete will remove before their files are read, on every provider: an UPDATE that sets one column
/// of each matching row to its own value (a no-op that takes the rows' write locks, as <c>SELECT … FOR UPDATE</c> would).
/// Used inside the caller's transaction, whose isolation may be READ COMMITTED: without it, a concurrent save could move a
/// file from a matching row to a surviving row between the read and the delete, and the recorded delete would remove a file
/// that row references. With it, such a save waits for the bulk delete's commit, then finds its row gone and fails with a
/// concurrency error (or, if it committed first, the read sees the file already moved).
/// </summary>
internal static class BulkDeleteRowLock
{
    public static Task<int> LockAsync<TEntity>(DbContext context, IQueryable<TEntity> query, CancellationToken cancellationToken)
        where TEntity : class
    {
        var entityType = context.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not an entity type of {context.GetType().Name}.");

        // A column of the entity's own table that is not part of the key (a key column may be an identity column).
        var property = entityType.GetProperties().FirstOrDefault(p => p.ClrType == typeof(FileObject) || p.ClrType == typeof(FileObjectList))
            ?? entityType.GetProperties().FirstOrDefault(p =>
                !p.IsKey() && !p.IsShadowProperty() && p.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never)
            ?? entityType.FindPrimaryKey()!.Properties[0];
        var row = Expression.Parameter(typeof(TEntity), "row");
        var access = Expression.Call(typeof(EF), nameof(EF.Property), [property.ClrType], row, Expression.Constant(property.Name));
        var lambda = Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(TEntity), property.ClrType), access, row);
        var set = typeof(UpdateSettersBuilder<TEntity>).GetMethods()
            .Single(m => m.Name == nameof(UpdateSettersBuilder<TEntity>.SetProperty) && m.GetParameters()[1].ParameterType.IsGenericType
                && m.GetParameters()[1].ParameterType.GetGenericTypeDefinition() == typeof(Expression<>))
            .MakeGenericMethod(property.ClrType);
        return query.ExecuteUpdateAsync(setters => set.Invoke(setters, [lambda, lambda]), cancellationToken);
    }
}
