using System.Linq.Expressions;
using System.Reflection;
using AlchemyTypes.Encryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using AlchemyTypes.Infrastructure.Internal;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// Rewrites equality comparisons on encrypted properties before EF Core compiles a query: with a blind index,
/// <c>e.Email == value</c> becomes a comparison of the indexed shadow column with the HMAC of <c>value</c> (computed by
/// the shadow property's converter when the parameter is bound); without one it fails with a clear error instead of
/// silently matching nothing (each encryption uses a fresh nonce, so ciphertexts never compare equal).
/// </summary>
internal sealed class BlindIndexQueryInterceptor : IQueryExpressionInterceptor
{
    private static readonly MethodInfo PropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!.MakeGenericMethod(typeof(string));

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        return eventData.Context is { } context ? new Rewriter(context.Model).Visit(queryExpression) : queryExpression;
    }

    private sealed class Rewriter(IModel model) : ExpressionVisitor
    {
        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual)
            {
                var left = Rewrite(node.Left, node.Right);
                var right = Rewrite(node.Right, node.Left);
                if (!ReferenceEquals(left, node.Left) || !ReferenceEquals(right, node.Right))
                {
                    return Expression.MakeBinary(node.NodeType, Visit(left), Visit(right), node.IsLiftedToNull, node.Method);
                }
            }

            return base.VisitBinary(node);
        }

        private Expression Rewrite(Expression side, Expression other)
        {
            if (side is not MemberExpression { Expression: { } instance } member
                || model.FindEntityType(instance.Type)?.FindProperty(member.Member.Name) is not { } property
                || property.GetValueConverter() is not EncryptedStringConverter converter)
            {
                return side;
            }

            if (property.FindAnnotation(AlchemyTypesAnnotationNames.BlindIndexProperty)?.Value is string shadow)
            {
                return Expression.Call(PropertyMethod, instance, Expression.Constant(shadow));
            }

            if (other is ConstantExpression { Value: null })
            {
                return side;
            }

            throw new AlchemyTypesConfigurationException(
                $"The query compares the encrypted property '{converter.EntityType}.{converter.Property}' for equality, which cannot work on ciphertexts "
                + "(every value is encrypted with a fresh random nonce). Add a blind index ([Encrypted(BlindIndex = true)] or .IsEncrypted(blindIndex: true)) "
                + "or filter in memory after loading.");
        }
    }
}
