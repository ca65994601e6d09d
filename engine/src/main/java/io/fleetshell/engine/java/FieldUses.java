package io.fleetshell.engine.java;

import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.Parameter;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The expressions that read one field of one type, found by name: {@code NAME} within the type (where
 * no nested type declares its own {@code NAME}), {@code this.NAME} and {@code Type.NAME}. What cannot be
 * told apart this way ({@code other.NAME}, a local of the same name) is reported as a problem instead.
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
            Optional<Node> shadow = shadowingDeclaration(expr, owner, name);
            if (shadow.isPresent()) {
                problems.add("a local variable or parameter %s (line %d) has the field's name, so its uses cannot be told apart; rename it"
                        .formatted(name, JavaSource.line(shadow.get())));
            } else {
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

    /** A parameter or local of that name in a method, constructor or lambda enclosing the expression. */
    private static Optional<Node> shadowingDeclaration(Node expr, TypeDeclaration<?> owner, String name) {
        for (Node at = expr.getParentNode().orElse(null); at != null && at != owner; at = at.getParentNode().orElse(null)) {
            if (at instanceof CallableDeclaration<?> || at instanceof LambdaExpr) {
                Node scope = at;
                Optional<Node> declared = scope.findFirst(Parameter.class, p -> p.getNameAsString().equals(name)).map(p -> (Node) p)
                        .or(() -> scope.findFirst(VariableDeclarator.class, v -> v.getNameAsString().equals(name)
                                && !(v.getParentNode().orElse(null) instanceof FieldDeclaration)).map(v -> (Node) v))
                        .or(() -> scope.findFirst(TypePatternExpr.class, p -> p.getNameAsString().equals(name)).map(p -> (Node) p));
                if (declared.isPresent()) {
                    return declared;
                }
            }
        }
        return Optional.empty();
    }
}
