package dev.warden.bundle;

import dev.warden.bundle.BundleWriter.EntityDocument;
import dev.warden.policy.state.PolicyState;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * A policy state kept as one document per entity (as the server stores it and replicas copy it) turned back into
 * a {@link PolicyState}. Everything that holds such documents builds its state here, so that the server and every
 * replica read the same documents the same way.
 */
public final class Documents
{
    /** Section, then id: the order documents are assembled in, so that a bundle error's index names one document. */
    public static final Comparator<EntityDocument> ORDER = Comparator.comparing(EntityDocument::section).thenComparing(EntityDocument::id);

    private static final String BUNDLE_NAME = "state";

    private Documents() {}

    /** The documents in {@link #ORDER}. */
    public static List<EntityDocument> sorted(Collection<EntityDocument> documents)
    {
        return documents.stream().sorted(ORDER).toList();
    }

    /**
     * The state the documents describe, checked as a bundle is; errors name the field of the assembled bundle, at
     * {@code section[index]} of the documents in {@link #ORDER}.
     */
    public static PolicyState toState(Collection<EntityDocument> documents)
            throws BundleException
    {
        return read(sorted(documents)).bundle().state();
    }

    /** The documents, already in {@link #ORDER}, assembled into one bundle and read as it would be loaded. */
    static BundleLoader read(List<EntityDocument> ordered)
    {
        return BundleLoader.readPlain(BUNDLE_NAME, BundleWriter.bundleOf(ordered));
    }
}
