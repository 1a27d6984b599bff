using System.Text.Encodings.Web;

namespace AlchemyTypes.Sample;

/// <summary>
/// The page a person sees when something they did could not be done: a wrong password, a file the document does not
/// accept. It says what happened and what to do, with the status code a script or a test expects.
/// </summary>
internal static class ErrorPage
{
    public static IResult Result(int statusCode, string title, string message)
        => Results.Content(Render(statusCode, title, message), "text/html; charset=utf-8", statusCode: statusCode);

    public static string Render(int statusCode, string title, string message)
    {
        var html = HtmlEncoder.Default;
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{html.Encode(title)}} — AlchemyTypes sample</title>
            {{SiteStyle.Link}}</head><body>
            <div class="problem" id="problem" data-status="{{statusCode}}">
            <h1>{{html.Encode(title)}}</h1>
            <p id="problem-message">{{html.Encode(message)}}</p>
            </div>
            <p><a href="/" id="back">Back to the start page</a></p>
            </body></html>
            """;
    }
}
