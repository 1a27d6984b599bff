using AlchemyTypes.Passwords;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Passwords;

public sealed class Account
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Discovered by convention: no configuration in OnModelCreating.</summary>
    public PasswordHash? Password { get; set; }
}

public sealed class PasswordContext(DbContextOptions<PasswordContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
}
