package dev.warden.policy.model;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactSortedSetTest
{
    @Test
    void behavesAsAnUnmodifiableTreeSet()
    {
        List<String> values = List.of("pear", "apple", "fig", "apple", "kiwi");
        SortedSet<String> compact = CompactSortedSet.copyOf(values);
        TreeSet<String> tree = new TreeSet<>(values);

        assertThat(compact).containsExactlyElementsOf(tree);
        assertThat(compact).isEqualTo(tree);
        assertThat(tree).isEqualTo(compact);
        assertThat(compact.hashCode()).isEqualTo(tree.hashCode());
        assertThat(compact.toString()).isEqualTo(tree.toString());
        assertThat(compact.contains("fig")).isTrue();
        assertThat(compact.contains("grape")).isFalse();
        assertThat(compact.first()).isEqualTo("apple");
        assertThat(compact.last()).isEqualTo("pear");
        assertThat(compact.comparator()).isNull();
        assertThat(compact.subSet("b", "l")).containsExactlyElementsOf(tree.subSet("b", "l"));
        assertThat(compact.headSet("kiwi")).containsExactlyElementsOf(tree.headSet("kiwi"));
        assertThat(compact.tailSet("kiwi")).containsExactlyElementsOf(tree.tailSet("kiwi"));
        assertThat(compact.subSet("x", "z")).isEmpty();
        assertThatThrownBy(() -> compact.add("plum")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> compact.iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(compact::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> compact.subSet("z", "a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sortsInNaturalOrderWhateverTheSourceOrder()
    {
        TreeSet<String> reversed = new TreeSet<>(Comparator.reverseOrder());
        reversed.addAll(List.of("a", "c", "b"));
        assertThat(CompactSortedSet.copyOf(reversed)).containsExactly("a", "b", "c");
        assertThat(CompactSortedSet.copyOf(List.<String>of())).isEmpty();
        assertThatThrownBy(() -> CompactSortedSet.copyOf(java.util.Arrays.asList("a", null))).isInstanceOf(NullPointerException.class);
    }

    @Test
    void columnsShareTypesAndKeepTagsSorted()
    {
        Column column = new Column("email", SqlType.parse("VARCHAR(255)"), new TreeSet<>(List.of(Tag.of("PII.Email"), Tag.of("Contact"))));
        assertThat(column.tags()).extracting(Tag::path).containsExactly("Contact", "PII.Email");
        assertThat(SqlType.parse("varchar(255)")).isSameAs(column.type()).isEqualTo(SqlType.varchar(255));
    }
}
