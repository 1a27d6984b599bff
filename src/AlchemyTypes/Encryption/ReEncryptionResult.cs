namespace AlchemyTypes.Encryption;

/// <summary>What <c>ReEncryptAsync</c> did.</summary>
public sealed class ReEncryptionResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="rowsReEncrypted">The number of rows saved again with the current key.</param>
    /// <param name="batches">The number of batches (one <c>SaveChanges</c> each).</param>
    public ReEncryptionResult(int rowsReEncrypted, int batches)
    {
        RowsReEncrypted = rowsReEncrypted;
        Batches = batches;
    }

    /// <summary>The number of rows that held at least one value under an older key and were saved again with the current key.</summary>
    public int RowsReEncrypted { get; }

    /// <summary>The number of batches, each its own <c>SaveChanges</c> (and transaction).</summary>
    public int Batches { get; }

    /// <inheritdoc />
    public override string ToString() => $"{RowsReEncrypted} rows re-encrypted in {Batches} batches";
}
