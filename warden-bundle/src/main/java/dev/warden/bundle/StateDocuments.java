package dev.warden.bundle;

import dev.warden.bundle.BundleLoader.ReadEntities;
import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.policy.model.AccessGrantMapping;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.Project;
import dev.warden.policy.model.Purpose;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.state.InvalidStateException;
import dev.warden.policy.state.PolicyState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Collections.emptySortedMap;
import static java.util.Collections.unmodifiableMap;
import static java.util.Collections.unmodifiableSortedMap;
import static java.util.Objects.requireNonNull;

/**
 * The documents of a policy state, one per entity as the server stores them and replicas copy them, and the state
 * they build. {@link #load} builds the state from all of them, as {@link Documents#toState} does; {@link #change}
 * reads only the documents that change and makes the new state with {@link PolicyState#update}, which checks only
 * what the change can affect. Either way the outcome is what building the state from all the resulting documents
 * gives: the same state, its entities in the same order, or the same problems.
 *
 * <p>Changing only what changed relies on documents as the API and {@link BundleWriter#documents} write them: each
 * describes the entity its id names (a tag its path, a definer view owner the user's name, an approval its
 * {@link BundleWriter#approvalId}, the access grant mapping the id {@code accessGrantMapping}), and each policy gives
 * its sequence (without one, a policy is numbered by its place among all policies). While some document is not like that, or holds expectations (checked
 * against the whole state), every change builds the state from all documents.
 */
public final class StateDocuments
{
    private static final Pattern INDEXED_FIELD = Pattern.compile("^([A-Za-z]+)\\[(\\d+)](.*)$");
    private static final String ACCESS_GRANT_MAPPING = "accessGrantMapping";
    private static final List<Section<?>> SECTIONS = List.of(
            new Section<>("tags", read -> read.tags, Tag::path, PolicyState.Update::putTag),
            new Section<>("purposes", read -> read.purposes, Purpose::name, PolicyState.Update::putPurpose),
            new Section<>("groups", read -> read.groups, Group::name, PolicyState.Update::putGroup),
            new Section<>("users", read -> read.users, User::name, PolicyState.Update::putUser),
            new Section<>("projects", read -> read.projects, Project::name, PolicyState.Update::putProject),
            new Section<>("dataSources", read -> read.dataSources, DataSource::id, PolicyState.Update::putDataSource),
            new Section<String>("definerViewOwners", read -> read.definerViewOwners, owner -> owner, PolicyState.Update::putDefinerViewOwner),
            new Section<>("approvals", read -> read.approvals, BundleWriter::approvalId, PolicyState.Update::putApproval),
            new Section<>("policies", read -> read.policies, Policy::id, PolicyState.Update::putPolicy));

    /** By section, then id: every document, in {@link Documents#ORDER}. */
    private final Map<String, SortedMap<String, Object>> sections;
    private final PolicyState state;
    /** Documents that {@link #change} cannot reason about (see the class comment). */
    private final Set<DocumentKey> irregular;

    /** A document to write ({@code document} present) or delete. */
    public record Change(String section, String id, Optional<Object> document)
    {
        public Change
        {
            requireNonNull(section, "section is null");
            requireNonNull(id, "id is null");
            requireNonNull(document, "document is null");
        }
    }

    private record DocumentKey(String section, String id) {}

    /**
     * How the documents of one section become entities: what a bundle reads from them, the id of the document that
     * describes an entity, and how an update puts one.
     */
    private record Section<T>(String name, Function<ReadEntities, List<Optional<T>>> read, Function<T, String> id, BiConsumer<PolicyState.Update, T> put) {}

    private StateDocuments(Map<String, SortedMap<String, Object>> sections, PolicyState state, Set<DocumentKey> irregular)
    {
        this.sections = unmodifiableMap(sections);
        this.state = requireNonNull(state, "state is null");
        this.irregular = Set.copyOf(irregular);
    }

    /** The documents and the state they build, checked as {@link Documents#toState} checks them. */
    public static StateDocuments load(Collection<EntityDocument> documents)
            throws BundleException
    {
        List<EntityDocument> ordered = Documents.sorted(documents);
        BundleLoader reading = Documents.read(ordered);
        PolicyState state = reading.bundle().state();
        Set<DocumentKey> irregular = new HashSet<>();
        for (EntityDocument document : ordered) {
            if (!isRegular(document)) {
                irregular.add(key(document));
            }
        }
        for (Section<?> section : SECTIONS) {
            irregular.addAll(misnamed(section, ordered, reading.entities())
                    .orElseThrow(() -> new IllegalStateException("documents of section '" + section.name() + "' loaded, but not item by item")));
        }
        Map<String, SortedMap<String, Object>> sections = new TreeMap<>();
        for (EntityDocument document : ordered) {
            sections.computeIfAbsent(document.section(), _ -> new TreeMap<>()).put(document.id(), document.document());
        }
        sections.replaceAll((_, section) -> unmodifiableSortedMap(section));
        return new StateDocuments(sections, state, irregular);
    }

    public PolicyState state()
    {
        return state;
    }

    public Optional<Object> document(String section, String id)
    {
        return Optional.ofNullable(section(section).get(id));
    }

    /** The documents of one section, by id. */
    public SortedMap<String, Object> section(String section)
    {
        return sections.getOrDefault(section, emptySortedMap());
    }

    /** Every document, in {@link Documents#ORDER}. */
    public List<EntityDocument> documents()
    {
        return documentsOf(sections);
    }

    /** Every document once the changes are made, in {@link Documents#ORDER}, without building their state. */
    public List<EntityDocument> documentsWith(List<Change> changes)
    {
        return documentsOf(withChanges(byKey(changes)));
    }

    /**
     * The documents with the changes made, in order (a later change of a document replaces an earlier one), and the
     * state they build; or every problem that building the state from all the resulting documents would report.
     */
    public StateDocuments change(List<Change> changes)
            throws InvalidDocumentsException
    {
        Map<DocumentKey, Optional<Object>> changed = byKey(changes);
        Map<String, SortedMap<String, Object>> changedSections = withChanges(changed);
        List<EntityDocument> written = changed.entrySet().stream()
                .filter(entry -> entry.getValue().isPresent())
                .map(entry -> new EntityDocument(entry.getKey().section(), entry.getKey().id(), entry.getValue().get()))
                .sorted(Documents.ORDER)
                .toList();
        if (!irregular.isEmpty() || !written.stream().allMatch(StateDocuments::isRegular)) {
            return whole(changedSections);
        }
        BundleLoader reading = Documents.read(written);
        PolicyState.Update update = state.update();
        Set<DocumentKey> unreadable = new HashSet<>();
        for (Section<?> section : SECTIONS) {
            if (!putRead(section, written, reading.entities(), update, unreadable)) {
                return whole(changedSections);
            }
        }
        // What was there that a whole build would not find: deleted documents, and written ones that could not be read.
        List<DocumentKey> gone = changed.entrySet().stream()
                .filter(entry -> entry.getValue().isEmpty() || unreadable.contains(entry.getKey()))
                .map(Map.Entry::getKey)
                .filter(key -> section(key.section()).containsKey(key.id()))
                .toList();
        Set<Tag> goneTags = new HashSet<>();
        List<EntityDocument> goneApprovals = new ArrayList<>();
        for (DocumentKey key : gone) {
            switch (key.section()) {
                case "tags" -> goneTags.add(Tag.of(key.id()));
                case "purposes" -> update.removePurpose(key.id());
                case "groups" -> update.removeGroup(key.id());
                case "users" -> update.removeUser(key.id());
                case "projects" -> update.removeProject(key.id());
                case "dataSources" -> update.removeDataSource(key.id());
                case "policies" -> update.removePolicy(key.id());
                case "definerViewOwners" -> update.removeDefinerViewOwner(key.id());
                case "approvals" -> document(key.section(), key.id()).ifPresent(document -> goneApprovals.add(new EntityDocument(key.section(), key.id(), document)));
                case ACCESS_GRANT_MAPPING -> update.accessGrantMapping(AccessGrantMapping.DEFAULT);
                default -> {}
            }
        }
        if (written.stream().anyMatch(document -> document.section().equals(ACCESS_GRANT_MAPPING))) {
            reading.entities().accessGrantMapping.ifPresent(update::accessGrantMapping);
        }
        removeTags(goneTags, changedSections.getOrDefault("tags", emptySortedMap()), unreadable, update);
        if (!goneApprovals.isEmpty()) {
            // A document's id names its approval ambiguously (names may hold '/'): read what the approval was.
            Documents.read(Documents.sorted(goneApprovals)).entities().approvals.forEach(approval -> approval.ifPresent(update::removeApproval));
        }

        PolicyState changedState;
        try {
            changedState = update.build();
        }
        catch (InvalidStateException e) {
            throw refusal(written, changedSections, e.problems());
        }
        if (reading.hasErrors()) {
            throw refusal(written, changedSections, List.of());
        }
        return new StateDocuments(changedSections, changedState, Set.of());
    }

    /**
     * The errors of building documents, with each field that names a document by its index in its section (as
     * {@code users[3].groups}) naming it by id instead ({@code users[alice].groups}).
     *
     * @param documents the documents built, in {@link Documents#ORDER}
     */
    public static List<DocumentProblem> problems(BundleException refused, List<EntityDocument> documents)
    {
        Map<String, List<EntityDocument>> bySection = new LinkedHashMap<>();
        documents.forEach(document -> bySection.computeIfAbsent(document.section(), _ -> new ArrayList<>()).add(document));
        List<DocumentProblem> problems = new ArrayList<>();
        for (BundleError error : refused.errors()) {
            Matcher matcher = INDEXED_FIELD.matcher(error.field());
            List<EntityDocument> inSection = matcher.matches() ? bySection.getOrDefault(matcher.group(1), List.of()) : List.of();
            int index = matcher.matches() ? Integer.parseInt(matcher.group(2)) : -1;
            problems.add(index >= 0 && index < inSection.size()
                    ? new DocumentProblem(matcher.group(1) + "[" + inSection.get(index).id() + "]" + matcher.group(3), error.message())
                    : new DocumentProblem(error.field(), error.message()));
        }
        return problems;
    }

    /**
     * Puts into the update what each written document of the section gave when read, and adds to {@code unreadable}
     * those that gave nothing. False when the documents cannot be changed one by one: one describes an entity its id
     * does not name, or they were not read item by item.
     */
    private static <T> boolean putRead(Section<T> section, List<EntityDocument> written, ReadEntities read, PolicyState.Update update, Set<DocumentKey> unreadable)
    {
        List<EntityDocument> documents = written.stream().filter(document -> document.section().equals(section.name())).toList();
        List<Optional<T>> entities = section.read().apply(read);
        if (entities.size() != documents.size()) {
            return false;
        }
        for (int i = 0; i < documents.size(); i++) {
            Optional<T> entity = entities.get(i);
            if (entity.isEmpty()) {
                unreadable.add(key(documents.get(i)));
            }
            else if (section.id().apply(entity.get()).equals(documents.get(i).id())) {
                section.put().accept(update, entity.get());
            }
            else {
                return false;
            }
        }
        return true;
    }

    /**
     * The documents of the section (among {@code documents}, in order) that describe an entity their id does not
     * name; empty when they were not read item by item.
     */
    private static <T> Optional<List<DocumentKey>> misnamed(Section<T> section, List<EntityDocument> documents, ReadEntities read)
    {
        List<EntityDocument> inSection = documents.stream().filter(document -> document.section().equals(section.name())).toList();
        List<Optional<T>> entities = section.read().apply(read);
        if (entities.size() != inSection.size()) {
            return Optional.empty();
        }
        List<DocumentKey> misnamed = new ArrayList<>();
        for (int i = 0; i < inSection.size(); i++) {
            EntityDocument document = inSection.get(i);
            if (entities.get(i).map(section.id()).filter(id -> !id.equals(document.id())).isPresent()) {
                misnamed.add(key(document));
            }
        }
        return Optional.of(misnamed);
    }

    /** What can be told of a document without reading it: whether {@link #change} can reason about it (see the class comment). */
    private static boolean isRegular(EntityDocument document)
    {
        return switch (document.section()) {
            case "expectations" -> false;
            case ACCESS_GRANT_MAPPING -> document.id().equals(ACCESS_GRANT_MAPPING);
            case "policies" -> !(document.document() instanceof Map<?, ?> policy) || policy.containsKey("sequence");
            default -> true;
        };
    }

    /**
     * Removes from the update each tag no document declares any longer, itself or by a tag below it, as a whole
     * build registers every declared tag with its ancestors.
     *
     * @param declaring the tag documents after the change, by path (a document's id is its tag's path)
     * @param unreadable documents written that could not be read, which declare nothing
     */
    private static void removeTags(Set<Tag> gone, SortedMap<String, Object> declaring, Set<DocumentKey> unreadable, PolicyState.Update update)
    {
        for (Tag tag : gone) {
            for (Tag undeclared : tag.selfAndAncestors()) {
                if (!declaresWithin(declaring, undeclared, unreadable)) {
                    update.removeTag(undeclared);
                }
            }
        }
    }

    private static boolean declaresWithin(SortedMap<String, Object> declaring, Tag tag, Set<DocumentKey> unreadable)
    {
        // Paths below a tag are those from "path." up to, not including, "path/" ('/' follows '.').
        List<String> paths = new ArrayList<>(declaring.subMap(tag.path() + ".", tag.path() + "/").keySet());
        if (declaring.containsKey(tag.path())) {
            paths.add(tag.path());
        }
        return paths.stream().anyMatch(path -> !unreadable.contains(new DocumentKey("tags", path)));
    }

    /** The changes by document, a later change of a document replacing an earlier one. */
    private static Map<DocumentKey, Optional<Object>> byKey(List<Change> changes)
    {
        Map<DocumentKey, Optional<Object>> changed = new LinkedHashMap<>();
        for (Change change : changes) {
            changed.put(new DocumentKey(change.section(), change.id()), change.document());
        }
        return changed;
    }

    private static List<EntityDocument> documentsOf(Map<String, SortedMap<String, Object>> sections)
    {
        List<EntityDocument> documents = new ArrayList<>();
        sections.forEach((section, byId) -> byId.forEach((id, document) -> documents.add(new EntityDocument(section, id, document))));
        return documents;
    }

    private Map<String, SortedMap<String, Object>> withChanges(Map<DocumentKey, Optional<Object>> changed)
    {
        Map<String, SortedMap<String, Object>> changedSections = new TreeMap<>(sections);
        Map<String, TreeMap<String, Object>> copies = new TreeMap<>();
        changed.forEach((key, document) -> {
            TreeMap<String, Object> section = copies.computeIfAbsent(key.section(), name -> new TreeMap<>(section(name)));
            document.ifPresentOrElse(body -> section.put(key.id(), body), () -> section.remove(key.id()));
        });
        copies.forEach((name, section) -> {
            if (section.isEmpty()) {
                changedSections.remove(name);
            }
            else {
                changedSections.put(name, unmodifiableSortedMap(section));
            }
        });
        return changedSections;
    }

    /** The state built from all the documents, as a change that cannot be made one document at a time is. */
    private static StateDocuments whole(Map<String, SortedMap<String, Object>> sections)
            throws InvalidDocumentsException
    {
        List<EntityDocument> documents = documentsOf(sections);
        try {
            return load(documents);
        }
        catch (BundleException e) {
            throw new InvalidDocumentsException(problems(e, documents));
        }
    }

    /**
     * The problems a whole build of the changed documents reports, found by reading again only the documents written
     * and those of the entities {@code stateProblems} name: every other document was read before without a problem.
     */
    private static InvalidDocumentsException refusal(List<EntityDocument> written, Map<String, SortedMap<String, Object>> changedSections, List<InvalidModelException> stateProblems)
    {
        Map<DocumentKey, EntityDocument> named = new LinkedHashMap<>();
        written.forEach(document -> named.put(key(document), document));
        for (InvalidModelException problem : stateProblems) {
            BundleLoader.entityOf(problem.field()).ifPresent(entity -> {
                String section = entity.substring(0, Math.max(0, entity.indexOf('[')));
                String name = entity.substring(entity.indexOf('[') + 1, entity.length() - 1);
                // Approvals register as user/dataSource, their documents as user/dataSource/ACCESS.
                List<String> ids = section.equals("approvals")
                        ? Arrays.stream(AccessType.values()).map(type -> name + "/" + type.name()).toList()
                        : List.of(name);
                for (String id : ids) {
                    Object document = changedSections.getOrDefault(section, emptySortedMap()).get(id);
                    if (document != null) {
                        named.putIfAbsent(new DocumentKey(section, id), new EntityDocument(section, id, document));
                    }
                }
            });
        }
        List<EntityDocument> ordered = Documents.sorted(named.values());
        return new InvalidDocumentsException(problems(Documents.read(ordered).refusal(stateProblems), ordered));
    }

    private static DocumentKey key(EntityDocument document)
    {
        return new DocumentKey(document.section(), document.id());
    }
}
