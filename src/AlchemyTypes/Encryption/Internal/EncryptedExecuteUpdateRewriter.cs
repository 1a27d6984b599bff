using System.Collections.ObjectModel;
using System.Linq.Expressions;
using System.Reflection;
using AlchemyTypes.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Makes <c>ExecuteUpdate</c> correct on encrypted properties, before EF Core compiles it. EF Core 10 represents the
/// setters as <c>new ITuple[] { new Tuple&lt;Delegate, object&gt;(propertySelector, value), … }</c>, where the value is a
/// constant, a captured variable (a query parameter) or a lambda over the row. A value computed in .NET is encrypted by
/// the property's converter when the parameter is bound (bound to the column like every other value), and the blind index
/// is set from the same value; a value computed from the row (another column, SQL functions) cannot be encrypted by the
/// database and is refused, as is writing a blind-index column directly.
/// </summary>
internal static class EncryptedExecuteUpdateRewriter
{
    private static readonly MethodInfo PropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!.MakeGenericMethod(typeof(string));

    /// <summary>The rewritten call when <paramref name="call"/> is an ExecuteUpdate touching encrypted properties, else the call itself.</summary>
    public static MethodCallExpression Rewrite(MethodCallExpression call, IModel model)
    {
        if (call.Method is not { Name: "ExecuteUpdate", IsGenericMethod: true }
            || call.Method.DeclaringType != typeof(EntityFrameworkQueryableExtensions)
            || call.Arguments is not [_, NewArrayExpression setters])
        {
            return call;
        }

        var entityClr = call.Method.GetGenericArguments()[0];
        var entityType = model.FindEntityType(entityClr);
        if (entityType is null)
        {
            return call;
        }

        var added = new List<Expression>();
        foreach (var setter in setters.Expressions)
        {
            if (setter is not NewExpression { Arguments: [var selector, var value], Constructor: { } constructor }
                || StripQuotes(selector) is not LambdaExpression { Parameters: [var row] } lambda
                || ResolveProperty(entityType, lambda.Body, row) is not { } property)
            {
                continue;
            }

            if (property.FindAnnotation(AlchemyTypesAnnotationNames.BlindIndexOf)?.Value is string indexed)
            {
                throw new EncryptedQueryException(entityType.DisplayName(), indexed,
                    $"ExecuteUpdate sets the blind-index column '{property.Name}' of '{entityType.DisplayName()}.{indexed}' directly. "
                    + $"Set '{indexed}' instead: its blind index is updated with it.");
            }

            if (property.GetValueConverter() is not EncryptedStringConverter converter)
            {
                continue;
            }

            if (converter.Rows is not null)
            {
                throw new EncryptedQueryException(converter.EntityType, converter.Property,
                    $"ExecuteUpdate sets '{converter.EntityType}.{converter.Property}', which is bound to its row: one statement cannot encrypt a "
                    + "value for each row it updates. Load the entities, change them and call SaveChanges.");
            }

            if (StripQuotes(value) is LambdaExpression)
            {
                throw new EncryptedQueryException(converter.EntityType, converter.Property,
                    $"ExecuteUpdate computes the encrypted property '{converter.EntityType}.{converter.Property}' from the row, which the "
                        + $"database cannot encrypt. "
                    + "Set it to a value computed in .NET (a constant or a variable), or load the entities, change them and call SaveChanges.");
            }

            if (property.FindAnnotation(AlchemyTypesAnnotationNames.BlindIndexProperty)?.Value is string shadow)
            {
                // The same value, converted by the shadow property's converter into the column's keyed HMAC.
                var shadowSelector = Expression.Lambda(Expression.Call(PropertyMethod, row, Expression.Constant(shadow)), row);
                added.Add(Expression.New(constructor, shadowSelector, value));
            }
        }

        if (added.Count == 0)
        {
            return call;
        }

        var all = new ReadOnlyCollection<Expression>([.. setters.Expressions, .. added]);
        return call.Update(call.Object, [call.Arguments[0], Expression.NewArrayInit(setters.Type.GetElementType()!, all)]);
    }

    private static Expression StripQuotes(Expression expression)
        => expression is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : expression;

    private static IProperty? ResolveProperty(IEntityType entityType, Expression body, ParameterExpression row)
    {
        if (body is UnaryExpression { NodeType: ExpressionType.Convert } convert)
        {
            body = convert.Operand;
        }

        return body switch
        {
            MemberExpression member when member.Expression == row => entityType.FindProperty(member.Member.Name),
            MethodCallExpression { Method.Name: nameof(EF.Property), Arguments: [var instance, ConstantExpression { Value: string name }] }
                when instance == row && body is MethodCallExpression m && m.Method.DeclaringType == typeof(EF) => entityType.FindProperty(name),
            _ => null,
        };
    }
}
