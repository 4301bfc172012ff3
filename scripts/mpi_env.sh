# mpi_env.sh - sourced by the scripts: lets Open MPI run as root (containers,
# CI) and on machines with fewer cores than ranks asked for.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# No high-speed fabrics in a workstation or CI box: keep Open MPI quiet about them.
export OMPI_MCA_btl_base_warn_component_unused=0
