namespace AlchemyTypes.Encryption;

/// <summary>What <c>ReIndexAsync</c> did.</summary>
public sealed class ReIndexResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="rowsReIndexed">The number of rows whose blind indexes were recomputed.</param>
    /// <param name="batches">The number of batches (one <c>SaveChanges</c> each).</param>
    public ReIndexResult(int rowsReIndexed, int batches)
    {
        RowsReIndexed = rowsReIndexed;
        Batches = batches;
    }

    /// <summary>The number of rows whose blind indexes were recomputed with the ring's current blind-index key.</summary>
    public int RowsReIndexed { get; }

    /// <summary>The number of batches, each its own <c>SaveChanges</c> (and transaction).</summary>
    public int Batches { get; }

    /// <inheritdoc />
    public override string ToString() => $"{RowsReIndexed} rows re-indexed in {Batches} batches";
}
