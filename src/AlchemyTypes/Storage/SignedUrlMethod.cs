namespace AlchemyTypes.Storage;

/// <summary>The HTTP method a signed URL allows.</summary>
public enum SignedUrlMethod
{
    /// <summary>Download the object.</summary>
    Get,

    /// <summary>Upload (create or replace) the object.</summary>
    Put,
}
