using System.Linq.Expressions;
using AlchemyTypes.Encryption.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.FunctionalTests.Encryption;

/// <summary>
/// The row-binding check must cost nothing where no property is bound to its row: EF Core's intercepting shaper (much
/// slower) is compiled only for entity types with such a property; every other entity keeps EF Core's fast materializer, and
/// the application's own materialization interceptors still run everywhere.
/// </summary>
public sealed class MaterializerChoiceTests : IAsyncLifetime
{
    private readonly SqliteTestStore _store = new();
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await _store.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private static bool Intercepts(DbContext context, Type clrType)
    {
        var source = context.GetService<IStructuralTypeMaterializerSource>();
        var entityType = context.Model.FindEntityType(clrType)!;
        var expression = source.CreateMaterializeExpression(
            new StructuralTypeMaterializerSourceParameters(entityType, "instance", clrType, IsNullable: false, QueryTrackingBehavior: null),
            Expression.Parameter(typeof(MaterializationContext), "materializationContext"));
        var finder = new InterceptionFinder();
        finder.Visit(expression);
        return finder.Found;
    }

    [Fact]
    [Promise("P-ENC-54")]
    public async Task Only_entity_types_with_a_row_bound_property_get_the_intercepting_materializer()
    {
        await using (var bound = new RowBindingContext(SecretsConfiguration.Configure<RowBindingContext>(_database, _store).Options))
        {
            Assert.True(Intercepts(bound, typeof(MedicalRecord)));
        }

        await using var plain = new EncryptionContext(SecretsConfiguration.Configure<EncryptionContext>(_database, _store).Options);
        Assert.False(Intercepts(plain, typeof(Customer)));
    }

    [Fact]
    [Promise("P-ENC-54")]
    public async Task The_applications_own_materialization_interceptor_still_runs_for_plain_entities()
    {
        var counting = new CountingInterceptor();
        var options = SecretsConfiguration.Configure<EncryptionContext>(_database, SecretsConfiguration.NewRing()).AddInterceptors(counting).Options;
        await using (var context = new EncryptionContext(options))
        {
            await context.Database.EnsureCreatedAsync();
            context.Add(new Customer { Name = "n", Email = "e@example.com" });
            await context.SaveChangesAsync();
        }

        await using (var context = new EncryptionContext(options))
        {
            Assert.True(Intercepts(context, typeof(Customer)));
            Assert.Single(await context.Set<Customer>().AsNoTracking().ToListAsync());
        }

        Assert.Equal(1, counting.Count);
    }

    private sealed class InterceptionFinder : ExpressionVisitor
    {
        public bool Found { get; private set; }

        public override Expression? Visit(Expression? node)
        {
            if (node?.Type == typeof(MaterializationInterceptionData))
            {
                Found = true;
            }

            return base.Visit(node);
        }
    }

    private sealed class CountingInterceptor : IMaterializationInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
        {
            Interlocked.Increment(ref _count);
            return entity;
        }
    }
}
