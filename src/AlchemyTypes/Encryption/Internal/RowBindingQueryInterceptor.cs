using System.Linq.Expressions;
using System.Reflection;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Checks the row of values bound to their row that a query returns without materializing their entity: before EF Core
/// compiles a query whose final operator is a projection (<c>Select(r =&gt; r.Diagnosis)</c>, <c>Select(r =&gt; new { r.Id,
/// r.Diagnosis })</c>, and the projection EF Core itself builds for <c>GetDatabaseValues</c> and <c>Reload</c>), each
/// row-bound property read from an entity in it is wrapped in a client-side call that receives the entity's key from the same
/// row and compares it with the row key inside the value (<see cref="RowBoundValues.Check"/>). A projection that further
/// operators compose on (<c>Select(…).Where(…)</c>, <c>Distinct</c>, set operations) is left as it is: it cannot be paired
/// with its row, and <see cref="EncryptionSaveStep"/> refuses to bind such unchecked values to another row. Runs only when
/// a query is compiled; the compiled query is cached by EF Core as usual.
/// </summary>
internal sealed class RowBindingQueryInterceptor : IQueryExpressionInterceptor
{
    private static readonly MethodInfo VerifyMethod = typeof(RowCheck).GetMethod(nameof(RowCheck.Verify))!;

    private static readonly MethodInfo PropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!;

    /// <summary>Operators that may follow the final projection without composing on its values.</summary>
    private static readonly HashSet<string> Terminal =
    [
        nameof(Queryable.First), nameof(Queryable.FirstOrDefault), nameof(Queryable.Single), nameof(Queryable.SingleOrDefault),
        nameof(Queryable.Last), nameof(Queryable.LastOrDefault), nameof(Queryable.ElementAt), nameof(Queryable.ElementAtOrDefault),
        nameof(Queryable.Take), nameof(Queryable.Skip),
        nameof(EntityFrameworkQueryableExtensions.AsNoTracking), nameof(EntityFrameworkQueryableExtensions.AsTracking),
        nameof(EntityFrameworkQueryableExtensions.AsNoTrackingWithIdentityResolution), nameof(EntityFrameworkQueryableExtensions.TagWith),
        nameof(EntityFrameworkQueryableExtensions.TagWithCallSite), nameof(EntityFrameworkQueryableExtensions.IgnoreQueryFilters),
        nameof(EntityFrameworkQueryableExtensions.IgnoreAutoIncludes),
    ];

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is not { } context)
        {
            return queryExpression;
        }

        var model = context.Model;
        var hasRowBound = model.GetOrAddRuntimeAnnotationValue(
            AlchemyTypesAnnotationNames.ModelHasRowBoundProperties,
            static m => m!.GetEntityTypes().Any(t => t.GetDeclaredProperties().Any(p => p.GetValueConverter() is EncryptedStringConverter { Rows: not null })),
            model);
        return hasRowBound ? Rewrite(queryExpression, model) : queryExpression;
    }

    private static Expression Rewrite(Expression expression, IModel model)
    {
        if (expression is not MethodCallExpression { Arguments.Count: > 0 } call)
        {
            return expression;
        }

        var declaring = call.Method.DeclaringType;
        if (Terminal.Contains(call.Method.Name) && (declaring == typeof(Queryable) || declaring == typeof(EntityFrameworkQueryableExtensions))
            && call.Arguments.Skip(1).All(a => a is not UnaryExpression { Operand: LambdaExpression } and not LambdaExpression))
        {
            var inner = Rewrite(call.Arguments[0], model);
            return ReferenceEquals(inner, call.Arguments[0]) ? call : call.Update(call.Object, [inner, .. call.Arguments.Skip(1)]);
        }

        if (declaring == typeof(Queryable) && call.Method.Name == nameof(Queryable.Select)
            && call.Arguments[1] is UnaryExpression { Operand: LambdaExpression { Parameters.Count: 1 } lambda })
        {
            var parameter = lambda.Parameters[0];
            var entityType = model.FindEntityType(parameter.Type) ?? (parameter.Type == typeof(object) ? RootOf(call.Arguments[0]) : null);
            var body = new ProjectionRewriter(model, parameter, entityType).Visit(lambda.Body);
            return ReferenceEquals(body, lambda.Body)
                ? call
                : call.Update(null, [call.Arguments[0], Expression.Quote(Expression.Lambda(lambda.Type, body, lambda.Parameters))]);
        }

        return expression;
    }

    /// <summary>The entity type of the query root under operators that keep the element type (EF Core's GetDatabaseValues query).</summary>
    private static IEntityType? RootOf(Expression source)
    {
        while (true)
        {
            switch (source)
            {
                case EntityQueryRootExpression root:
                    return root.EntityType;
                case MethodCallExpression { Arguments.Count: > 0 } call when call.Method.Name != nameof(Queryable.Select)
                    && call.Method.Name != nameof(Queryable.SelectMany):
                    source = call.Arguments[0];
                    break;
                default:
                    return null;
            }
        }
    }

    private sealed class ProjectionRewriter(IModel model, ParameterExpression parameter, IEntityType? parameterType) : ExpressionVisitor
    {
        // Subqueries in the projection (a collection navigation's Select) are not paired with their rows: left as they are.
        protected override Expression VisitLambda<T>(Expression<T> node) => node;

        protected override Expression VisitMember(MemberExpression node)
            => node.Expression is { } instance && Bound(instance, node.Member.Name) is { } bound
                ? Wrap(node, instance, bound.EntityType, bound.Converter)
                : base.VisitMember(node);

        protected override Expression VisitMethodCall(MethodCallExpression node)
            => node.Method.IsGenericMethod && node.Method.GetGenericMethodDefinition() == PropertyMethod
                && node.Arguments[1] is ConstantExpression { Value: string name } && Bound(node.Arguments[0], name) is { } bound
                    ? Wrap(node, node.Arguments[0], bound.EntityType, bound.Converter)
                    : base.VisitMethodCall(node);

        private (IEntityType EntityType, EncryptedStringConverter Converter)? Bound(Expression instance, string name)
        {
            var entityType = instance == parameter && parameterType is not null ? parameterType : model.FindEntityType(instance.Type);
            return entityType?.FindProperty(name) is { } property && property.GetValueConverter() is EncryptedStringConverter { Rows: not null } converter
                && entityType.FindPrimaryKey() is not null
                    ? (entityType, converter)
                    : null;
        }

        private static Expression Wrap(Expression value, Expression instance, IEntityType entityType, EncryptedStringConverter converter)
        {
            var key = entityType.FindPrimaryKey()!.Properties;
            var keyValues = Expression.NewArrayInit(typeof(object), key.Select(k => Expression.Convert(
                Expression.Call(PropertyMethod.MakeGenericMethod(k.ClrType), instance, Expression.Constant(k.Name)), typeof(object))));
            var asString = value.Type == typeof(string) ? value : Expression.Convert(value, typeof(string));
            var verified = Expression.Call(VerifyMethod, asString, Expression.Constant(new RowCheck(key, converter)), keyValues);
            return value.Type == typeof(string) ? verified : Expression.Convert(verified, value.Type);
        }
    }

    /// <summary>The check of one row-bound property, called by the compiled projection with the value and its row's key.</summary>
    internal sealed class RowCheck(IReadOnlyList<IProperty> keyProperties, EncryptedStringConverter converter)
    {
        private IReadOnlyList<IProperty> KeyProperties { get; } = keyProperties;

        private EncryptedStringConverter Converter { get; } = converter;

        public static string? Verify(string? value, RowCheck check, object?[] keyValues)
        {
            ArgumentNullException.ThrowIfNull(check);
            ArgumentNullException.ThrowIfNull(keyValues);
            check.Converter.Rows!.Check(value, () =>
            {
                var values = new Dictionary<IProperty, object?>();
                for (var i = 0; i < keyValues.Length; i++)
                {
                    values[check.KeyProperties[i]] = keyValues[i];
                }

                return RowKey.Compute(check.KeyProperties, p => values[p]);
            }, check.Converter);
            return value;
        }
    }
}
