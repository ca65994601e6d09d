package io.fleetshell.engine.java;

import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.AssignExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.LambdaExpr;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.ThisExpr;
import com.github.javaparser.ast.expr.TypePatternExpr;
import com.github.javaparser.ast.expr.UnaryExpr;
import com.github.javaparser.ast.expr.VariableDeclarationExpr;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.CatchClause;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.ForEachStmt;
import com.github.javaparser.ast.stmt.ForStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.stmt.TryStmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The expressions that read one field of one type, found by name: {@code NAME} within the type (where
 * no nested type declares its own {@code NAME} and no local of that name is in scope), {@code this.NAME}
 * and {@code Type.NAME}. What cannot be told apart this way ({@code other.NAME}, a pattern variable of
 * the same name) is reported as a problem instead.
 */
final class FieldUses {

    /** The reads found, and the sentences saying why some expressions could not be rewritten safely. */
    record Found(List<Expression> reads, List<Expression> writes, List<String> problems) {
    }

    private FieldUses() {
    }

    static Found of(TypeDeclaration<?> owner, VariableDeclarator field) {
        String name = field.getNameAsString();
        String typeName = owner.getNameAsString();
        Node root = owner.findCompilationUnit().map(u -> (Node) u).orElse(owner);
        List<Expression> reads = new ArrayList<>();
        List<Expression> writes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (TypeDeclaration<?> nested : owner.findAll(TypeDeclaration.class)) {
            if (nested != owner && nested.getFieldByName(name).isPresent()) {
                problems.add("%s declares its own field %s (line %d), so a plain %s is ambiguous; rename one of them"
                        .formatted(nested.getNameAsString(), name, JavaSource.line(nested.getFieldByName(name).get()), name));
            }
        }
        for (NameExpr expr : owner.findAll(NameExpr.class, n -> n.getNameAsString().equals(name))) {
            Optional<Node> local = shadowingDeclaration(expr, owner, name);
            if (local.isPresent() && local.get() instanceof TypePatternExpr) {
                problems.add("a pattern variable %s (line %d) has the field's name, so its uses cannot be told apart; rename it"
                        .formatted(name, JavaSource.line(local.get())));
            } else if (local.isEmpty()) {
                (isWritten(expr) ? writes : reads).add(expr);
            }
        }
        for (FieldAccessExpr expr : root.findAll(FieldAccessExpr.class, f -> f.getNameAsString().equals(name))) {
            Expression scope = expr.getScope();
            boolean ours = (scope instanceof ThisExpr self && self.getTypeName().isEmpty() && expr.findAncestor(TypeDeclaration.class).orElse(null) == owner)
                    || (scope instanceof NameExpr n && n.getNameAsString().equals(typeName))
                    || (scope instanceof FieldAccessExpr f && f.getNameAsString().equals(typeName));
            if (ours) {
                (isWritten(expr) ? writes : reads).add(expr);
            } else if (!(scope instanceof NameExpr n && Character.isUpperCase(n.getNameAsString().charAt(0)))) {
                // other.NAME may be this very field of another instance; a Type.NAME of another type is not
                problems.add("line %d reads %s through %s, which may be this field of another object; read it in a method of %s instead"
                        .formatted(JavaSource.line(expr), name, scope, typeName));
            }
        }
        reads.sort(java.util.Comparator.comparing((Expression e) -> JavaSource.line(e)).thenComparing(JavaSource::column));
        return new Found(reads, writes, problems);
    }

    private static boolean isWritten(Expression expr) {
        Node parent = expr.getParentNode().orElse(null);
        if (parent instanceof AssignExpr assign && assign.getTarget() == expr) {
            return true;
        }
        return parent instanceof UnaryExpr unary && switch (unary.getOperator()) {
            case PREFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_INCREMENT, POSTFIX_DECREMENT -> true;
            default -> false;
        };
    }

    /**
     * The declaration of a local, parameter or pattern variable named {@code name} that is in scope at
     * the expression, following Java's scoping of blocks, for loops, catch clauses, try resources and
     * parameters. A pattern variable of that name anywhere in the method counts too: its flow scoping
     * is not worth modelling here, so such uses are left alone.
     */
    private static Optional<Node> shadowingDeclaration(Node expr, TypeDeclaration<?> owner, String name) {
        Node child = expr;
        for (Node at = expr.getParentNode().orElse(null); at != null && at != owner; child = at, at = at.getParentNode().orElse(null)) {
            Optional<Node> declared = switch (at) {
                case BlockStmt block -> {
                    int index = block.getStatements().indexOf(child);
                    yield block.getStatements().subList(0, Math.max(0, index)).stream()
                            .flatMap(statement -> locals(statement, name).stream()).findFirst();
                }
                case ForStmt loop -> loop.getInitialization().stream().flatMap(e -> declarators(e, name).stream()).findFirst();
                case ForEachStmt loop -> declarators(loop.getVariable(), name).stream().findFirst();
                case CatchClause clause -> clause.getParameter().getNameAsString().equals(name) ? Optional.of(clause.getParameter()) : Optional.empty();
                case TryStmt attempt -> attempt.getResources().stream().flatMap(e -> declarators(e, name).stream()).findFirst();
                case CallableDeclaration<?> callable -> callable.getParameters().stream()
                        .filter(p -> p.getNameAsString().equals(name)).map(p -> (Node) p).findFirst()
                        .or(() -> callable.findFirst(TypePatternExpr.class, p -> p.getNameAsString().equals(name)).map(p -> (Node) p));
                case LambdaExpr lambda -> lambda.getParameters().stream().filter(p -> p.getNameAsString().equals(name)).map(p -> (Node) p).findFirst();
                default -> Optional.empty();
            };
            if (declared.isPresent()) {
                return declared;
            }
        }
        return Optional.empty();
    }

    private static List<Node> locals(Statement statement, String name) {
        return statement instanceof ExpressionStmt e ? declarators(e.getExpression(), name) : List.of();
    }

    private static List<Node> declarators(Expression expression, String name) {
        return expression instanceof VariableDeclarationExpr declaration
                ? declaration.getVariables().stream().filter(v -> v.getNameAsString().equals(name)).map(v -> (Node) v).toList()
                : List.of();
    }
}
