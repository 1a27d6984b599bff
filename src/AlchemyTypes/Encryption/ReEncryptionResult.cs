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
        Skipped = [];
    }

    /// <summary>Creates a result with the rows that were skipped.</summary>
    /// <param name="rowsReEncrypted">The number of rows saved again with the current key.</param>
    /// <param name="batches">The number of batches (one <c>SaveChanges</c> each).</param>
    /// <param name="skipped">The rows left as they were because a value could not be read.</param>
    public ReEncryptionResult(int rowsReEncrypted, int batches, IReadOnlyList<ReEncryptionSkippedRow> skipped)
        : this(rowsReEncrypted, batches)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        Skipped = skipped;
    }

    /// <summary>
    /// The rows left as they were because one of their encrypted values could not be read (for example a value copied from
    /// another row, <see cref="EncryptedValueFailure.WrongRow"/>), each with its key and the reason. Empty when every row
    /// was readable. Restore these values from a backup or set new ones; the rotation did not stop for them.
    /// </summary>
    public IReadOnlyList<ReEncryptionSkippedRow> Skipped { get; }

    /// <summary>The number of rows in <see cref="Skipped"/>.</summary>
    public int RowsSkipped => Skipped.Count;

    /// <summary>The number of rows that held at least one value under an older key and were saved again with the current key.</summary>
    public int RowsReEncrypted { get; }

    /// <summary>The number of batches, each its own <c>SaveChanges</c> (and transaction).</summary>
    public int Batches { get; }

    /// <inheritdoc />
    public override string ToString() => $"{RowsReEncrypted} rows re-encrypted in {Batches} batches, {RowsSkipped} skipped";
}
