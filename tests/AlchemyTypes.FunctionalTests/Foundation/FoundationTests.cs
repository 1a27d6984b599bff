using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Foundation;

/// <summary>Keys, UTC dates and audit stamps against a real database; subclassed once per database.</summary>
public abstract class FoundationTests(ITestStore store) : IAsyncLifetime
{
    private static readonly DateTimeOffset T1 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2025, 3, 2, 9, 30, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _clock = new(T1);
    private readonly FixedAuditUser _user = new("alice");
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private FoundationContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<FoundationContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.UseTimeProvider(_clock).UseAuditUser(_user));
        return new FoundationContext(builder.Options);
    }

    [Fact]
    public async Task UuidV7_keys_inserted_in_one_batch_read_back_in_insertion_order()
    {
        var inserted = new List<Guid>();
        await using (var context = CreateContext())
        {
            for (var i = 0; i < 500; i++)
            {
                var meeting = new Meeting { Title = $"m{i}", StartsAt = DateTime.UtcNow };
                context.Meetings.Add(meeting);
                inserted.Add(meeting.Id);
            }

            await context.SaveChangesAsync();
        }

        Assert.DoesNotContain(Guid.Empty, inserted);
        Assert.All(inserted, id => Assert.Equal(7, id.Version));
        await using (var context = CreateContext())
        {
            var ordered = await context.Meetings.OrderBy(m => m.Id).Select(m => new { m.Id, m.Title }).ToListAsync();
            Assert.Equal(inserted, ordered.Select(m => m.Id));
            Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i}"), ordered.Select(m => m.Title));
        }
    }

    [Fact]
    public async Task UuidV6_keys_read_back_in_insertion_order()
    {
        await using (var context = CreateContext())
        {
            for (var i = 0; i < 300; i++)
            {
                context.V6Rows.Add(new V6Row { Sequence = i });
            }

            context.SaveChanges();
        }

        await using (var context = CreateContext())
        {
            var rows = await context.V6Rows.OrderBy(r => r.Id).ToListAsync();
            Assert.Equal(Enumerable.Range(0, 300), rows.Select(r => r.Sequence));
            Assert.All(rows, r => Assert.Equal(6, r.Id.Version));
        }
    }

    [Fact]
    public async Task Uuid_v4_Nanoid_and_BigInt_base_entities_get_keys()
    {
        await using (var context = CreateContext())
        {
            context.V4Rows.AddRange(new V4Row { Sequence = 1 }, new V4Row { Sequence = 2 });
            context.NanoRows.AddRange(new NanoRow { Name = "a" }, new NanoRow { Name = "b" });
            context.BigRows.AddRange(new BigRow { Name = "a" }, new BigRow { Name = "b" });
            await context.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            var v4 = await context.V4Rows.ToListAsync();
            Assert.Equal(2, v4.Select(r => r.Id).Distinct().Count());
            Assert.All(v4, r => Assert.Equal(4, r.Id.Version));

            var nano = await context.NanoRows.ToListAsync();
            Assert.Equal(2, nano.Select(r => r.Id).Distinct().Count());
            Assert.All(nano, r => Assert.Matches("^[A-Za-z0-9_-]{21}$", r.Id));

            var big = await context.BigRows.OrderBy(r => r.Id).ToListAsync();
            Assert.True(big[0].Id > 0 && big[1].Id > big[0].Id);
        }

        await using (var context = CreateContext())
        {
            Assert.Equal(21, context.Model.FindEntityType(typeof(NanoRow))!.FindProperty(nameof(NanoRow.Id))!.GetMaxLength());
        }
    }

    [Fact]
    public async Task Naive_DateTime_is_rejected_with_a_typed_error_naming_entity_and_property()
    {
        await using var context = CreateContext();
        context.Meetings.Add(new Meeting { Title = "naive", StartsAt = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Unspecified) });

        var error = await Assert.ThrowsAsync<UnspecifiedDateTimeKindException>(() => context.SaveChangesAsync());
        Assert.Equal(nameof(Meeting), error.EntityType);
        Assert.Equal(nameof(Meeting.StartsAt), error.Property);
        Assert.Contains("Meeting.StartsAt", error.Message, StringComparison.Ordinal);

        await using var check = CreateContext();
        Assert.Equal(0, await check.Meetings.CountAsync());
    }

    [Fact]
    public async Task Naive_value_in_a_nullable_DateTime_is_rejected_too()
    {
        await using var context = CreateContext();
        context.Meetings.Add(new Meeting { Title = "naive", StartsAt = DateTime.UtcNow, EndsAt = new DateTime(2025, 1, 1) });
        var error = Assert.Throws<UnspecifiedDateTimeKindException>(() => context.SaveChanges());
        Assert.Equal(nameof(Meeting.EndsAt), error.Property);
    }

    [Fact]
    public async Task Local_DateTime_is_converted_to_utc_and_reads_come_back_utc()
    {
        var local = DateTime.SpecifyKind(new DateTime(2025, 6, 15, 12, 0, 0), DateTimeKind.Local);
        var utc = new DateTime(2025, 6, 15, 18, 45, 0, DateTimeKind.Utc);
        Guid id;
        await using (var context = CreateContext())
        {
            var meeting = new Meeting { Title = "tz", StartsAt = local, EndsAt = utc };
            context.Add(meeting);
            await context.SaveChangesAsync();
            id = meeting.Id;
        }

        await using (var context = CreateContext())
        {
            var meeting = await context.Meetings.SingleAsync(m => m.Id == id);
            Assert.Equal(DateTimeKind.Utc, meeting.StartsAt.Kind);
            Assert.Equal(local.ToUniversalTime(), meeting.StartsAt);
            Assert.Equal(DateTimeKind.Utc, meeting.EndsAt!.Value.Kind);
            Assert.Equal(utc, meeting.EndsAt);
            Assert.Equal(DateTimeKind.Utc, meeting.CreatedAt.Kind);

            // Query parameters go through the same conversion: a Local bound finds the row by its UTC instant.
            Assert.Equal(id, (await context.Meetings.SingleAsync(m => m.StartsAt == local)).Id);
        }
    }

    [Fact]
    public async Task Opted_out_property_keeps_an_unspecified_value_as_given()
    {
        var wallClock = new DateTime(2025, 1, 1, 9, 0, 0, DateTimeKind.Unspecified);
        await using (var context = CreateContext())
        {
            context.Add(new Meeting { Title = "legacy", StartsAt = DateTime.UtcNow, LocalWallClock = wallClock });
            await context.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            var meeting = await context.Meetings.SingleAsync();
            Assert.Equal(wallClock, meeting.LocalWallClock);
            Assert.NotEqual(DateTimeKind.Utc, meeting.LocalWallClock!.Value.Kind);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Audit_columns_are_stamped_on_insert_and_update_and_CreatedAt_never_changes(bool async)
    {
        Guid id;
        await using (var context = CreateContext())
        {
            var meeting = new Meeting { Title = "audit", StartsAt = DateTime.UtcNow };
            context.Add(meeting);
            await Save(context, async);
            id = meeting.Id;
        }

        await using (var context = CreateContext())
        {
            var meeting = await context.Meetings.SingleAsync(m => m.Id == id);
            Assert.Equal(T1.UtcDateTime, meeting.CreatedAt);
            Assert.Equal(T1.UtcDateTime, meeting.UpdatedAt);
            Assert.Equal("alice", meeting.CreatedBy);
            Assert.Equal("alice", meeting.UpdatedBy);

            _clock.Now = T2;
            _user.User = "bob";
            meeting.Title = "audit, renamed";
            meeting.CreatedAt = new DateTime(1999, 1, 1, 0, 0, 0, DateTimeKind.Utc); // must not be persisted
            meeting.CreatedBy = "mallory";
            await Save(context, async);
        }

        await using (var context = CreateContext())
        {
            var meeting = await context.Meetings.SingleAsync(m => m.Id == id);
            Assert.Equal("audit, renamed", meeting.Title);
            Assert.Equal(T1.UtcDateTime, meeting.CreatedAt);
            Assert.Equal("alice", meeting.CreatedBy);
            Assert.Equal(T2.UtcDateTime, meeting.UpdatedAt);
            Assert.Equal("bob", meeting.UpdatedBy);
        }
    }

    [Fact]
    public async Task Unchanged_entities_are_not_restamped()
    {
        await using var context = CreateContext();
        var row = new BigRow { Name = "still" };
        context.Add(row);
        await context.SaveChangesAsync();

        _clock.Now = T2;
        Assert.Equal(0, await context.SaveChangesAsync());
        Assert.Equal(T1.UtcDateTime, row.UpdatedAt);
    }

    [Fact]
    public async Task Works_the_same_through_dependency_injection_with_a_scoped_audit_user()
    {
        var services = new ServiceCollection();
        services.AddScoped<FixedAuditUser>(_ => new FixedAuditUser("scoped-user"));
        services.AddScoped<ScopedAuditUserAccessor>();
        services.AddScoped<IAuditUserAccessor>(p => p.GetRequiredService<ScopedAuditUserAccessor>());
        services.AddDbContext<FoundationContext>(o => _database.UseProvider(o).AddAlchemyTypes(a => a.UseTimeProvider(_clock)));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<FoundationContext>();
            context.Add(new NanoRow { Name = "di" });
            await context.SaveChangesAsync();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<FoundationContext>().NanoRows.SingleAsync();
            Assert.Equal("scoped-user", row.CreatedBy);
            Assert.Equal(T1.UtcDateTime, row.CreatedAt);
            Assert.Matches("^[A-Za-z0-9_-]{21}$", row.Id);
        }
    }

    [Fact]
    public async Task Pooled_contexts_stamp_and_generate_keys()
    {
        var services = new ServiceCollection();
        services.AddDbContextPool<FoundationContext>(o => _database.UseProvider(o).AddAlchemyTypes(a => a.UseTimeProvider(_clock).UseAuditUser(_user)));
        await using var provider = services.BuildServiceProvider();
        for (var i = 0; i < 3; i++)
        {
            await using var scope = provider.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<FoundationContext>();
            context.Add(new Meeting { Title = $"pooled {i}", StartsAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var meetings = await check.Meetings.OrderBy(m => m.Id).ToListAsync();
        Assert.Equal(["pooled 0", "pooled 1", "pooled 2"], meetings.Select(m => m.Title));
        Assert.All(meetings, m => Assert.Equal("alice", m.CreatedBy));
    }

    private static async Task Save(DbContext context, bool async)
    {
        if (async)
        {
            await context.SaveChangesAsync();
        }
        else
        {
            context.SaveChanges();
        }
    }

    /// <summary>A scoped accessor that reads a scoped "current user" service, as a web app's would read HttpContext.</summary>
    public sealed class ScopedAuditUserAccessor(FixedAuditUser user) : IAuditUserAccessor
    {
        public string? GetCurrentUser() => user.GetCurrentUser();
    }
}

public sealed class SqliteFoundationTests() : FoundationTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresFoundationTests(PostgresServerFixture server) : FoundationTests(new PostgresTestStore(server));

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbFoundationTests(MariaDbServerFixture server) : FoundationTests(new MariaDbTestStore(server));
