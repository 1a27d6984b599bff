using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlchemyTypes.Sample.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxVersionAndClaim : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ClaimToken",
                table: "alchemy_pending_storage_deletes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimedUntil",
                table: "alchemy_pending_storage_deletes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "alchemy_pending_storage_deletes",
                type: "TEXT",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClaimToken",
                table: "alchemy_pending_storage_deletes");

            migrationBuilder.DropColumn(
                name: "ClaimedUntil",
                table: "alchemy_pending_storage_deletes");

            migrationBuilder.DropColumn(
                name: "ETag",
                table: "alchemy_pending_storage_deletes");
        }
    }
}
