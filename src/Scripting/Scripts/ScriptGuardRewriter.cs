using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DaFormer.Cli.Scripts;

/// Inserts `ScriptGuard.Tick();` at the start of every block, every loop body and every
/// expression-bodied method, local function, property and accessor of a script, so endless loops and
/// endless recursion stop with a message instead of hanging or killing the process (see ScriptGuard).
/// The insertions never add a line break: line numbers in compile errors and exceptions stay those
/// of the file on disk. Expression-bodied lambdas are left alone (whether they return a value is not
/// visible in the syntax); recursion through them is not caught.
sealed class ScriptGuardRewriter : CSharpSyntaxRewriter
{
    const string Tick = "global::DaFormer.Training.ScriptSupport.ScriptGuard.Tick();";

    public static string Rewrite(string text, CSharpParseOptions options)
    {
        var tree = CSharpSyntaxTree.ParseText(text, options);
        return new ScriptGuardRewriter().Visit(tree.GetRoot()).ToFullString();
    }

    static StatementSyntax TickStatement() => SyntaxFactory.ParseStatement(Tick).WithTrailingTrivia(SyntaxFactory.Space);

    public override SyntaxNode? VisitBlock(BlockSyntax node)
    {
        var visited = (BlockSyntax)base.VisitBlock(node)!;
        return visited.WithStatements(visited.Statements.Insert(0, TickStatement()));
    }

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node) =>
        ((WhileStatementSyntax)base.VisitWhileStatement(node)!) is var n ? n.WithStatement(Guarded(n.Statement)) : null;

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node) =>
        ((DoStatementSyntax)base.VisitDoStatement(node)!) is var n ? n.WithStatement(Guarded(n.Statement)) : null;

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node) =>
        ((ForStatementSyntax)base.VisitForStatement(node)!) is var n ? n.WithStatement(Guarded(n.Statement)) : null;

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node) =>
        ((ForEachStatementSyntax)base.VisitForEachStatement(node)!) is var n ? n.WithStatement(Guarded(n.Statement)) : null;

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
        ((ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!) is var n ? n.WithStatement(Guarded(n.Statement)) : null;

    public override SyntaxNode? VisitLabeledStatement(LabeledStatementSyntax node) =>
        ((LabeledStatementSyntax)base.VisitLabeledStatement(node)!) is var n ? n.WithStatement(Guarded(n.Statement)) : null;

    // A block body was already guarded by VisitBlock; a single statement is wrapped in a guarded block.
    static StatementSyntax Guarded(StatementSyntax s) =>
        s is BlockSyntax ? s : SyntaxFactory.Block(TickStatement(), s.WithoutLeadingTrivia())
            .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithTrailingTrivia(SyntaxFactory.Space))
            .WithLeadingTrivia(s.GetLeadingTrivia());

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var n = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        return n.ExpressionBody is { } body && BodyBlock(body, n.SemicolonToken, n.ReturnType, n.Modifiers) is { } block
            ? n.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block) : n;
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var n = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        return n.ExpressionBody is { } body && BodyBlock(body, n.SemicolonToken, n.ReturnType, n.Modifiers) is { } block
            ? n.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block) : n;
    }

    public override SyntaxNode? VisitPropertyDeclaration(PropertyDeclarationSyntax node)
    {
        var n = (PropertyDeclarationSyntax)base.VisitPropertyDeclaration(node)!;
        if (n.ExpressionBody is not { } body) return n;
        var text = $"{body.ArrowToken.LeadingTrivia.ToFullString()}{{ get {{ {Tick} {ReturnOrThrow(body)} }} }}{n.SemicolonToken.TrailingTrivia.ToFullString()}";
        var accessors = SyntaxFactory.ParseCompilationUnit($"class C {{ int P {text} }}")
            .DescendantNodes().OfType<AccessorListSyntax>().First();
        return n.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(accessors);
    }

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node)
    {
        var n = (AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!;
        if (n.ExpressionBody is not { } body) return n;
        var returns = n.Keyword.IsKind(SyntaxKind.GetKeyword);
        var statement = returns ? ReturnOrThrow(body) : ExpressionStatement(body);
        return n.WithExpressionBody(null).WithSemicolonToken(default).WithBody(ParseBlock(body, n.SemicolonToken, statement));
    }

    static BlockSyntax? BodyBlock(ArrowExpressionClauseSyntax body, SyntaxToken semicolon, TypeSyntax returnType, SyntaxTokenList modifiers)
    {
        var isVoid = returnType is PredefinedTypeSyntax p && p.Keyword.IsKind(SyntaxKind.VoidKeyword);
        var isAsync = modifiers.Any(SyntaxKind.AsyncKeyword);
        var plainTask = returnType is IdentifierNameSyntax { Identifier.ValueText: "Task" or "ValueTask" }
                        or QualifiedNameSyntax { Right: IdentifierNameSyntax { Identifier.ValueText: "Task" or "ValueTask" } };
        if (isAsync && plainTask) return ParseBlock(body, semicolon, ExpressionStatement(body));
        return ParseBlock(body, semicolon, isVoid ? ExpressionStatement(body) : ReturnOrThrow(body));
    }

    // `=> throw X` becomes the statement `throw X;` (the text of a throw expression is a valid statement).
    static string ReturnOrThrow(ArrowExpressionClauseSyntax body) =>
        body.Expression is ThrowExpressionSyntax
            ? ExpressionStatement(body)
            : $"return {body.ArrowToken.TrailingTrivia.ToFullString()}{body.Expression.ToFullString()};";

    static string ExpressionStatement(ArrowExpressionClauseSyntax body) =>
        $"{body.ArrowToken.TrailingTrivia.ToFullString()}{body.Expression.ToFullString()};";

    static BlockSyntax ParseBlock(ArrowExpressionClauseSyntax body, SyntaxToken semicolon, string statement) =>
        (BlockSyntax)SyntaxFactory.ParseStatement($"{{ {Tick} {statement} }}")
            .WithLeadingTrivia(body.ArrowToken.LeadingTrivia)
            .WithTrailingTrivia(semicolon.TrailingTrivia);
}

/// Resolves `#load` like <see cref="SourceFileResolver"/> but hands the compiler the guarded text
/// (the file on disk is unchanged; line numbers match it).
sealed class GuardingSourceResolver(SourceFileResolver inner, CSharpParseOptions options) : SourceReferenceResolver
{
    SourceFileResolver Inner => inner;

    public override string? NormalizePath(string path, string? baseFilePath) => inner.NormalizePath(path, baseFilePath);
    public override string? ResolveReference(string path, string? baseFilePath) => inner.ResolveReference(path, baseFilePath);
    public override Stream OpenRead(string resolvedPath) => inner.OpenRead(resolvedPath);

    public override SourceText ReadText(string resolvedPath)
    {
        var original = File.ReadAllText(resolvedPath);
        return SourceText.From(ScriptGuardRewriter.Rewrite(original, options), Encoding.UTF8);
    }

    public override bool Equals(object? other) => other is GuardingSourceResolver g && g.Inner.Equals(inner);
    public override int GetHashCode() => inner.GetHashCode();
}
