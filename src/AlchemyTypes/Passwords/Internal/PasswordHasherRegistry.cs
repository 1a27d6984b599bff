namespace AlchemyTypes.Passwords.Internal;

/// <summary>
/// The password hashers registered on one EF Core service provider: the one that hashes new passwords and every one that
/// verifies. Captured by the <see cref="PasswordHash"/> converter, so loaded hashes reach it without global state.
/// </summary>
internal sealed class PasswordHasherRegistry
{
    public PasswordHasherRegistry(IReadOnlyList<IPasswordHasher> hashers, IPasswordHasher current)
    {
        Hashers = hashers;
        Current = current;
    }

    public IReadOnlyList<IPasswordHasher> Hashers { get; }

    public IPasswordHasher Current { get; }

    public IPasswordHasher? Find(string encodedHash)
    {
        if (Current.CanVerify(encodedHash))
        {
            return Current;
        }

        foreach (var hasher in Hashers)
        {
            if (hasher.CanVerify(encodedHash))
            {
                return hasher;
            }
        }

        return null;
    }

    public bool Verify(ReadOnlySpan<byte> password, string encodedHash)
    {
        var hasher = Find(encodedHash);
        if (hasher is null)
        {
            return false;
        }

        try
        {
            return hasher.Verify(password, encodedHash);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidPasswordException)
        {
            return false;
        }
    }

    public async ValueTask<bool> VerifyAsync(ReadOnlyMemory<byte> password, string encodedHash, CancellationToken cancellationToken)
    {
        var hasher = Find(encodedHash);
        if (hasher is null)
        {
            return false;
        }

        try
        {
            return await hasher.VerifyAsync(password, encodedHash, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidPasswordException)
        {
            return false;
        }
    }

    public bool NeedsRehash(string encodedHash)
    {
        var hasher = Find(encodedHash);
        if (!ReferenceEquals(hasher, Current))
        {
            return true;
        }

        try
        {
            return Current.NeedsRehash(encodedHash);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return true;
        }
    }
}
