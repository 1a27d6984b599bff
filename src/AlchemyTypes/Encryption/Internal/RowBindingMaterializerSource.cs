using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.Encryption.Internal;

/// <summary>
/// EF Core's materializer source, with the row-binding check only where it is needed. A registered
/// <c>IMaterializationInterceptor</c> makes EF Core build every entity through its slower intercepting shaper, whatever the
/// entity: so this source keeps two of EF Core's own sources, one with every singleton interceptor (for entity types with a
/// property bound to its row, which <see cref="RowBindingMaterializationInterceptor"/> checks) and one without
/// <see cref="RowBindingMaterializationInterceptor"/> (for every other entity and complex type). The application's own
/// materialization interceptors stay in both. Decided per entity type when EF Core compiles a shaper.
/// </summary>
#pragma warning disable EF1001 // RelationalStructuralTypeMaterializerSource and its dependencies are EF Core's own implementation.
internal sealed class RowBindingMaterializerSource : IStructuralTypeMaterializerSource
{
    private readonly RelationalStructuralTypeMaterializerSource _intercepted;
    private readonly RelationalStructuralTypeMaterializerSource _plain;

    public RowBindingMaterializerSource(StructuralTypeMaterializerSourceDependencies dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        _intercepted = new RelationalStructuralTypeMaterializerSource(dependencies);
        _plain = new RelationalStructuralTypeMaterializerSource(dependencies with
        {
            SingletonInterceptors = [.. dependencies.SingletonInterceptors.Where(i => i is not RowBindingMaterializationInterceptor)],
        });
    }

    /// <summary>Whether shapers of <paramref name="type"/> go through the row-binding check.</summary>
    public static bool IsChecked(ITypeBase type)
        => type is IEntityType entityType && entityType.FindPrimaryKey() is not null
            && entityType.GetProperties().Any(p => p.GetValueConverter() is EncryptedStringConverter { Rows: not null } && !p.IsShadowProperty());

    public Expression CreateMaterializeExpression(StructuralTypeMaterializerSourceParameters parameters, Expression materializationContextExpression)
    {
        return Pick(parameters.StructuralType).CreateMaterializeExpression(parameters, materializationContextExpression);
    }

    public Func<MaterializationContext, object> GetMaterializer(IEntityType entityType) => Pick(entityType).GetMaterializer(entityType);

    public Func<MaterializationContext, object> GetMaterializer(IComplexType complexType) => _plain.GetMaterializer(complexType);

    public Func<MaterializationContext, object> GetEmptyMaterializer(IEntityType entityType) => Pick(entityType).GetEmptyMaterializer(entityType);

    public Func<MaterializationContext, object> GetEmptyMaterializer(IComplexType complexType) => _plain.GetEmptyMaterializer(complexType);

    private RelationalStructuralTypeMaterializerSource Pick(ITypeBase type) => IsChecked(type) ? _intercepted : _plain;
}
#pragma warning restore EF1001
