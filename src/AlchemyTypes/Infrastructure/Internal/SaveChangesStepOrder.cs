namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>The order of the <see cref="ISaveChangesStep"/>s of each concept: cheap refusals first, storage I/O last.</summary>
internal static class SaveChangesStepOrder
{
    public const int Auditing = 100;
    public const int UtcDateTimes = 200;
    public const int Encryption = 300;
    public const int Passwords = 400;
    public const int Files = 500;
}
