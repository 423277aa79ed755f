"""The plugin contract: every hook a gammabin plugin may implement.

A plugin is a module (named by an entry point in the ``gammabin`` group) holding
functions decorated with :data:`gammabin.hookimpl` whose names match the specs
below.  Arguments are opt-in: an implementation may accept any subset of a hook's
arguments, so new arguments can be added without breaking plugins.

Registration hooks (``gammabin_register_*``) take no arguments; gammabin calls
each plugin's implementation on its own so that a faulty plugin is named and
skipped, never allowed to break the others.  Returning ``None`` means "nothing".

``PLUGIN_API`` is the version of this contract.  A plugin module may declare
``GAMMABIN_PLUGIN_API = <major>``; a plugin written for another major version is
refused with a message naming the version it needs.  Adding a hook or an argument
bumps the minor version; removing or renaming one bumps the major version (a
renamed hook keeps its old spec, which warns through pluggy's ``warn_on_impl``).
"""
import pluggy

#: Version of the hook contract, ``(major, minor)``.
PLUGIN_API = (1, 0)

hookspec = pluggy.HookspecMarker("gammabin")


@hookspec
def gammabin_register_makers():
    """Return the Maker classes this plugin provides.

    Returns
    -------
    iterable of type or None
        Subclasses of :class:`gammabin.makers.Maker`, each with a class attribute
        ``tag`` (a string, or a list of aliases whose first entry is the main
        tag, as in gammapy).  Tags are by convention the class name.  Two plugins
        claiming the same tag make ``MAKER_REGISTRY.get_cls(tag)`` raise a
        :class:`~gammabin.errors.PluginConflictError` naming both; other tags keep
        working.
    """


@hookspec
def gammabin_register_region_finders():
    """Return the region-finder classes this plugin provides.

    Returns
    -------
    iterable of type or None
        Region finders (e.g. reflected or wobble OFF-region finders) with a ``tag``
        class attribute; used by background makers built from configuration.
    """


@hookspec
def gammabin_register_commands():
    """Return extra command-line sub-commands.

    Returns
    -------
    iterable or None
        Objects with a unique ``name`` attribute, a ``help`` string, an
        ``add_arguments(parser)`` method and a ``run(args)`` method returning an
        exit code.  They appear as ``gammabin <name>``.
    """


@hookspec(firstresult=True)
def gammabin_read_irf(hdu, hdu_class, hdu_type, filename):
    """Read an IRF HDU whose class the core does not know.

    Called only when the data store's ``HDU_CLASS`` (or a file's ``HDUCLAS4``)
    names a class that gammabin has no reader for; the first non-``None``
    answer wins.

    Parameters
    ----------
    hdu : astropy.io.fits.BinTableHDU
        The HDU, already opened.
    hdu_class : str
        Lower-case HDU class from the index (e.g. ``"psf_gtpsf"``).
    hdu_type : str
        Lower-case HDU type (``"aeff"``, ``"edisp"``, ``"psf"``, ``"bkg"``,
        ``"rad_max"``).
    filename : str
        The file the HDU comes from, for error messages.

    Returns
    -------
    object or None
        An IRF object with the same interface as the core class of that type
        (``evaluate``, ``axes``, ``data``, ``unit``, ``meta``), or ``None`` if
        this plugin does not read that class.
    """


@hookspec(firstresult=True)
def gammabin_maker_defaults(tag, telescope):
    """Supply default parameters for a maker built from configuration.

    Parameters
    ----------
    tag : str
        The maker's tag (e.g. ``"SafeMaskMaker"``).
    telescope : str or None
        The ``TELESCOP`` of the data being reduced, if known.

    Returns
    -------
    dict or None
        Parameter defaults, overridden by anything the user's configuration
        sets; ``None`` to pass.
    """


@hookspec
def gammabin_observation_loaded(observation):
    """Observe an observation as a pipeline loads it (before any maker runs).

    Parameters
    ----------
    observation : gammabin.data.Observation
    """


@hookspec
def gammabin_dataset_made(dataset, observation, makers):
    """Observe the dataset a pipeline made for one observation.

    Parameters
    ----------
    dataset : gammabin.datasets.Dataset
        The per-observation dataset, after all makers ran and before stacking.
    observation : gammabin.data.Observation
    makers : list of gammabin.makers.Maker
    """


@hookspec(firstresult=True)
def gammabin_run_maker(maker, dataset, observation):
    """Run one maker on one observation.

    gammabin's own implementation is ``trylast`` and calls
    ``maker.run(dataset, observation)``.  Implement this hook as a
    ``wrapper=True`` to add timing, logging or provenance around every maker,
    or return a dataset to replace the run entirely.

    Returns
    -------
    gammabin.datasets.Dataset
    """
