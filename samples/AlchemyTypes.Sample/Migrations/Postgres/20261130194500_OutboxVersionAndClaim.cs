using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AlchemyTypes.Sample.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimedUntil",
                table: "alchemy_pending_storage_deletes",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ETag",
                table: "alchemy_pending_storage_deletes",
                type: "character varying(256)",
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
