#include "io/image_io.h"

#include <nifti1_io.h>
#include <stdio.h>

mist_status mist_image_write_nifti(const char *path, const int n[3], const float voxel_mm[3],
                                   const float origin_mm[3], const float *img,
                                   const char *description, mist_error *err)
{
    /* Our own check that the file can be created: niftiio only prints. */
    FILE *f = fopen(path, "wb");
    if (!f)
        return mist_error_set(err, MIST_ERR_IO, "cannot create %s", path);
    fclose(f);
    int dims[8] = {3, n[0], n[1], n[2], 1, 1, 1, 1};
    nifti_image *nim = nifti_make_new_nim(dims, DT_FLOAT32, 0);
    if (!nim)
        return mist_error_set(err, MIST_ERR_NOMEM, "cannot make a NIfTI image for %s", path);
    nim->dx = nim->pixdim[1] = voxel_mm[0];
    nim->dy = nim->pixdim[2] = voxel_mm[1];
    nim->dz = nim->pixdim[3] = voxel_mm[2];
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->qform_code = nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->quatern_b = nim->quatern_c = nim->quatern_d = 0.0f;
    nim->qfac = 1.0f;
    nim->qoffset_x = origin_mm[0];
    nim->qoffset_y = origin_mm[1];
    nim->qoffset_z = origin_mm[2];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            nim->sto_xyz.m[r][c] = 0.0f;
    for (int a = 0; a < 3; a++) {
        nim->sto_xyz.m[a][a] = voxel_mm[a];
        nim->sto_xyz.m[a][3] = origin_mm[a];
    }
    nim->sto_xyz.m[3][3] = 1.0f;
    snprintf(nim->descrip, sizeof nim->descrip, "%s", description);
    if (nifti_set_filenames(nim, path, 0, 1)) {
        nifti_image_free(nim);
        return mist_error_set(err, MIST_ERR_IO, "bad NIfTI file name %s", path);
    }
    nim->data = (void *)img; /* niftiio only reads it */
    nifti_image_write(nim);
    nim->data = NULL;
    nifti_image_free(nim);
    f = fopen(path, "rb");
    long size = -1;
    if (f && !fseek(f, 0, SEEK_END))
        size = ftell(f);
    if (f)
        fclose(f);
    long want = 352 + 4L * n[0] * n[1] * n[2];
    if (size != want)
        return mist_error_set(err, MIST_ERR_IO, "writing %s failed (%ld of %ld bytes)", path, size,
                              want);
    return MIST_OK;
}
