package dev.warden.policy.sql;

/**
 * Rewrites a regular expression written for Trino (and checked with Java's syntax when a policy is saved) into
 * PostgreSQL's advanced regular expressions, where a few escapes mean something else: {@code \b} is a backspace
 * there and a word boundary is {@code \y}; {@code \B} is {@code \Y}; the very end of input {@code \z} is {@code \Z}.
 * Inside a bracket expression escapes are left alone.
 */
final class PostgresRegex
{
    private PostgresRegex() {}

    static String fromTrino(String regex)
    {
        StringBuilder translated = new StringBuilder(regex.length() + 8);
        boolean inBrackets = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char escaped = regex.charAt(++i);
                translated.append('\\').append(inBrackets ? escaped : switch (escaped) {
                    case 'b' -> 'y';
                    case 'B' -> 'Y';
                    case 'z' -> 'Z';
                    default -> escaped;
                });
                continue;
            }
            if (c == '[' && !inBrackets) {
                inBrackets = true;
            }
            else if (c == ']' && inBrackets) {
                inBrackets = false;
            }
            translated.append(c);
        }
        return translated.toString();
    }
}
