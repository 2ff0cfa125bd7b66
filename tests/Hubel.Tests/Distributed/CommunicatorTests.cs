using Hubel.Distributed;

namespace Hubel.Tests.Distributed;

public class CommunicatorTests
{
    [Fact]
    public void A_single_process_group_leaves_data_unchanged()
    {
        using var comm = new SingleProcessCommunicator();
        Assert.Equal((0, 1), (comm.Rank, comm.WorldSize));
        float[] f = [1.5f, -2f];
        double[] d = [3.25];
        comm.AllReduceSum(f);
        comm.AllReduceSum(d);
        comm.Broadcast(f, root: 0);
        var request = comm.StartAllReduceSum(f);
        Assert.True(request.Test());
        request.Wait();
        comm.Barrier();
        Assert.Equal([1.5f, -2f], f);
        Assert.Equal([3.25], d);
        Assert.Equal("root", Assert.Throws<ArgumentOutOfRangeException>(() => comm.Broadcast(f, root: 1)).ParamName);
    }

    [Fact]
    public void A_missing_mpi_library_says_what_to_install()
    {
        var e = Assert.Throws<DllNotFoundException>(() => MpiCommunicator.Create(["libmpi-that-does-not-exist.so.99"]));
        Assert.Contains("Open MPI", e.Message);
        Assert.Contains("libmpi-that-does-not-exist.so.99", e.Message);
        Assert.Contains("openmpi-bin", e.Message);
    }

    [Fact]
    public void A_missing_nccl_library_says_what_is_needed()
    {
        using var bootstrap = new SingleProcessCommunicator();
        var e = Assert.Throws<DllNotFoundException>(() => NcclCommunicator.Create(bootstrap, ncclCandidates: ["libnccl-that-does-not-exist.so.2"]));
        Assert.Contains("NCCL", e.Message);
        Assert.Contains("GPU", e.Message);
        // The default names fail the same way on machines without NCCL (this one has no GPU), and never crash.
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad("libnccl.so.2", out _))
            Assert.Throws<DllNotFoundException>(() => NcclCommunicator.Create(bootstrap));
    }

    [Fact]
    public void Open_mpi_resolves_every_function_and_handle_when_installed()
    {
        MpiRun.RequireMpirun();   // CI installs Open MPI; without it this test fails rather than pass unrun
        var native = MpiNative.Load();
        Assert.NotEqual(IntPtr.Zero, native.CommWorld);
        Assert.NotEqual(IntPtr.Zero, native.OpSum);
    }
}
