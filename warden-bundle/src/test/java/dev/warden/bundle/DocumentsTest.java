package dev.warden.bundle;

import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.policy.state.PolicyState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentsTest
{
    @Test
    void documentsInAnyOrderBecomeTheStateTheyDescribe()
            throws BundleException
    {
        PolicyState state = Documents.toState(List.of(
                new EntityDocument("users", "bob", Map.of("name", "bob")),
                new EntityDocument("groups", "analysts", Map.of("name", "analysts")),
                new EntityDocument("users", "alice", Map.of("name", "alice", "groups", List.of("analysts")))));

        assertThat(state.users()).containsOnlyKeys("alice", "bob");
        assertThat(state.users().get("alice").groups()).containsExactly("analysts");
        assertThat(Documents.toState(BundleWriter.documents(state)).users()).isEqualTo(state.users());
    }

    @Test
    void documentsThatDoNotFormAStateAreRefusedAsABundleIs()
    {
        List<EntityDocument> documents = List.of(
                new EntityDocument("users", "bob", Map.of("name", "bob")),
                new EntityDocument("users", "alice", Map.of("name", "alice", "groups", List.of("nobody"))));

        assertThatThrownBy(() -> Documents.toState(documents))
                .isInstanceOf(BundleException.class)
                .satisfies(error -> assertThat(((BundleException) error).errors().getFirst().field()).startsWith("users[0]"));
        assertThat(Documents.sorted(documents)).extracting(EntityDocument::id).containsExactly("alice", "bob");
    }
}
