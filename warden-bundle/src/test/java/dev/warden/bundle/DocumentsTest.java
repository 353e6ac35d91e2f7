package dev.warden.bundle;

import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.policy.state.PolicyState;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
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
    void numbersBooleansAndNullsAreReadAsTheTextYamlWouldHold()
            throws BundleException
    {
        Map<String, Object> purpose = new HashMap<>();
        purpose.put("name", "Audit");
        purpose.put("description", null);
        List<EntityDocument> documents = List.of(
                new EntityDocument("purposes", "Audit", purpose),
                new EntityDocument("users", "alice", Map.of("name", "alice", "attributes", Map.of("level", List.of(3, 2.5, true, 12345678901L)))));

        PolicyState direct = Documents.toState(documents);
        PolicyState throughText = BundleLoader.load("state", List.of(new BundleLoader.SourceFile("state", BundleWriter.assemble(Documents.sorted(documents))))).state();

        assertThat(direct.users().get("alice").attributes().get("level")).containsExactlyInAnyOrder("3", "2.5", "true", "12345678901");
        assertThat(direct.users()).isEqualTo(throughText.users());
        assertThat(direct.purposes()).isEqualTo(throughText.purposes());
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
