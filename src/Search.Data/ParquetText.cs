using Parquet;
using Parquet.Schema;
using Search.Model;

namespace Search.Data;

/// <summary>The <c>text</c> column of a Parquet file (all row groups, in order), joined with "\n\n".</summary>
public static class ParquetText
{
    public const string ColumnName = "text";

    public static string Read(string path)
    {
        CorpusText.RequireFile(path);
        try
        {
            // The CLI is synchronous; Parquet.Net only offers async reads and there is no sync context to deadlock on.
            return ReadAsync(path).GetAwaiter().GetResult();
        }
        catch (UserInputException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ParquetException)
        {
            throw new UserInputException($"{path}: not a readable Parquet file ({e.Message})", e);
        }
    }

    private static async Task<string> ReadAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == ColumnName)
            ?? throw new UserInputException($"{path}: no column named \"{ColumnName}\"");
        // Parquet.Net 6 reports UTF-8 columns as ReadOnlyMemory<char> (older writers' schemas may say string).
        if (field.ClrType != typeof(ReadOnlyMemory<char>) && field.ClrType != typeof(string))
            throw new UserInputException($"{path}: column \"{ColumnName}\" holds {field.ClrType.Name}, not strings");

        var documents = new List<string>();
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var values = new string?[checked((int)rowGroup.RowCount)];
            await rowGroup.ReadAsync(field, values.AsMemory());
            // A null cell has no text; skipping it matches datasets' own handling of missing documents.
            documents.AddRange(values.OfType<string>());
        }
        return string.Join(CorpusText.DocumentSeparator, documents);
    }
}
