using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AlchemyTypes.FunctionalTests.MariaDb;

/// <summary>A document with a file: the model has the storage delete outbox, so its migration creates both tables.</summary>
public sealed class MigratedDoc
{
    public Guid Id { get; set; }

    [MaxLength(100)]
    public string Name { get; set; } = "";

    public FileObject? File { get; set; }
}

/// <summary>A context whose schema comes from <see cref="MigratedInitial"/> (MySql.EntityFrameworkCore store types).</summary>
public sealed class MigratedContext(DbContextOptions<MigratedContext> options) : DbContext(options)
{
    public DbSet<MigratedDoc> Docs => Set<MigratedDoc>();
}

/// <summary>The first migration of <see cref="MigratedContext"/>, as <c>dotnet ef migrations add</c> writes it for MySQL/MariaDB.</summary>
[DbContext(typeof(MigratedContext))]
[Migration("20261207000000_Initial")]
public sealed class MigratedInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Docs",
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                Name = table.Column<string>(type: "varchar(100)", maxLength: 100, nullable: false),
                File = table.Column<string>(type: "json", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Docs", x => x.Id));

        migrationBuilder.CreateTable(
            name: PendingStorageDelete.TableName,
            columns: table => new
            {
                Id = table.Column<Guid>(type: "char(36)", nullable: false),
                Backend = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false),
                Key = table.Column<string>(type: "varchar(1024)", maxLength: 1024, nullable: false),
                ETag = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                EnqueuedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                Attempts = table.Column<int>(type: "int", nullable: false),
                LastError = table.Column<string>(type: "varchar(2000)", maxLength: 2000, nullable: true),
                ClaimToken = table.Column<Guid>(type: "char(36)", nullable: true),
                ClaimedUntil = table.Column<DateTime>(type: "datetime(6)", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_" + PendingStorageDelete.TableName, x => x.Id));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: PendingStorageDelete.TableName);
        migrationBuilder.DropTable(name: "Docs");
    }
}

/// <summary>A model without AlchemyTypes types, to show what the provider alone does with the migrations lock on MariaDB.</summary>
public sealed class PlainContext(DbContextOptions<PlainContext> options) : DbContext(options)
{
    public DbSet<PlainRow> Rows => Set<PlainRow>();
}

public sealed class PlainRow
{
    public int Id { get; set; }
}

[DbContext(typeof(PlainContext))]
[Migration("20261207000000_PlainInitial")]
public sealed class PlainInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.CreateTable(
            name: "Rows",
            columns: table => new { Id = table.Column<int>(type: "int", nullable: false) },
            constraints: table => table.PrimaryKey("PK_Rows", x => x.Id));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "Rows");
}
