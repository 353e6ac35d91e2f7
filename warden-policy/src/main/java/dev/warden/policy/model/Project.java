package dev.warden.policy.model;

import java.util.SortedSet;

/** A project: members work in it under its purposes, on its data sources. */
public record Project(String name, SortedSet<String> purposes, SortedSet<String> dataSources, SortedSet<String> members)
{
    public Project
    {
        Checks.name("name", name);
        purposes = Checks.names("purposes", purposes);
        dataSources = Checks.names("dataSources", dataSources);
        members = Checks.names("members", members);
    }
}
